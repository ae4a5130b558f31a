// Kiosk helpers: record spoken answers and count words. No inline scripts (CSP); all text
// comes from data-* attributes rendered (and translated) by the server.
(function () {
  "use strict";

  function csrfToken(el) {
    const form = el.closest("form");
    const input = form && form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  async function sha256Hex(buffer) {
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function setupRecorder(box) {
    const url = box.dataset.uploadUrl;
    if (!url) return; // a preview outside a session: nothing to record
    const max = parseInt(box.dataset.maxRecordingSeconds || "60", 10);
    const input = box.querySelector("input[type=hidden]");
    const status = document.createElement("p");
    status.className = "recorder-status";
    status.setAttribute("aria-live", "polite");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "big recorder-button";
    button.textContent = box.dataset.labelStart;
    const placeholder = box.querySelector(".recorder-placeholder");
    if (placeholder) placeholder.remove();
    box.append(button, status);
    let recorder = null;
    let timer = null;
    let chunks = [];

    async function upload(blob) {
      const buffer = await blob.arrayBuffer();
      const response = await fetch(url, {
        method: "POST",
        body: buffer,
        credentials: "same-origin",
        headers: {
          "Content-Type": blob.type || "audio/webm",
          "X-CSRFToken": csrfToken(box),
          "X-Content-SHA256": await sha256Hex(buffer),
        },
      });
      if (!response.ok) throw new Error("upload failed: " + response.status);
      return response.json();
    }

    button.addEventListener("click", async () => {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
        return;
      }
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        status.textContent = box.dataset.labelNoMic;
        return;
      }
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (event) => {
        if (event.data.size) chunks.push(event.data);
      };
      recorder.onstop = async () => {
        clearTimeout(timer);
        stream.getTracks().forEach((track) => track.stop());
        button.disabled = true;
        status.textContent = box.dataset.labelSaving;
        try {
          const saved = await upload(new Blob(chunks, { type: recorder.mimeType }));
          input.value = saved.recording_id;
          box.classList.add("recorded");
          status.textContent = box.dataset.labelSaved;
        } catch (err) {
          status.textContent = box.dataset.labelFailed;
        }
        button.disabled = false;
        button.textContent = box.dataset.labelStart;
      };
      recorder.start(1000);
      button.textContent = box.dataset.labelStop;
      status.textContent = box.dataset.labelRecording;
      timer = setTimeout(() => recorder.state === "recording" && recorder.stop(), max * 1000);
    });
  }

  function setupWordCounter(counter) {
    const area = counter.parentElement.querySelector("textarea");
    if (!area) return;
    const label = counter.dataset.label || "{n}";
    const update = () => {
      const words = (area.value.match(/\S+/g) || []).length;
      counter.textContent = label.replace("{n}", String(words));
    };
    area.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-recorder]").forEach(setupRecorder);
  document.querySelectorAll("[data-word-counter]").forEach(setupWordCounter);
})();
