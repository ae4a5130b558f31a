// Admin audio studio (templates/admin/studio/item.html): record a clip in the browser with
// MediaRecorder and a level meter, then hand the recording to the upload form's file field,
// so that it is sent like an uploaded file (with the form's CSRF token) and checked,
// trimmed and normalised by the server. No inline script: the CSP forbids it.
(function () {
  "use strict";
  const box = document.querySelector("[data-studio-recorder]");
  const form = document.querySelector("[data-studio-form]");
  if (!box || !form) return;
  const input = form.querySelector("input[type=file]");
  const recordButton = box.querySelector("[data-record]");
  const stopButton = box.querySelector("[data-stop]");
  const meter = box.querySelector("[data-level]");
  const preview = box.querySelector("[data-preview]");
  const status = box.querySelector("[data-recorder-status]");
  if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) {
    box.hidden = false;
    box.querySelector("[data-recorder-unavailable]").hidden = false;
    recordButton.disabled = true;
    return;
  }
  box.hidden = false;
  let recorder = null;
  let stream = null;
  let audioContext = null;
  let frame = 0;
  let chunks = [];

  function showLevel(analyser) {
    const data = new Float32Array(analyser.fftSize);
    const tick = function () {
      analyser.getFloatTimeDomainData(data);
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
      // RMS on a scale where a normal voice sits in the middle of the meter.
      meter.value = Math.min(1, Math.sqrt(sum / data.length) * 4);
      meter.dataset.peak = String(Math.max(Number(meter.dataset.peak || 0), meter.value));
      frame = requestAnimationFrame(tick);
    };
    tick();
  }

  function stopAll() {
    cancelAnimationFrame(frame);
    meter.value = 0;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    if (audioContext) audioContext.close();
    stream = null;
    audioContext = null;
  }

  recordButton.addEventListener("click", async function () {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      status.textContent = box.dataset.denied || String(err);
      return;
    }
    audioContext = new AudioContext();
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 2048;
    audioContext.createMediaStreamSource(stream).connect(analyser);
    showLevel(analyser);
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", function (event) {
      if (event.data.size) chunks.push(event.data);
      box.dataset.chunks = String(chunks.length);
    });
    recorder.addEventListener("stop", function () {
      stopAll();
      const type = recorder.mimeType || "audio/webm";
      const blob = new Blob(chunks, { type: type });
      const file = new File([blob], "studio-recording.webm", { type: type });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      box.dataset.state = "recorded";
      recordButton.disabled = false;
      stopButton.disabled = true;
    });
    recorder.start(250);
    box.dataset.state = "recording";
    recordButton.disabled = true;
    stopButton.disabled = false;
  });

  stopButton.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  });
})();
