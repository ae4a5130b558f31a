// Admission page: take the test-day photo with the centre's webcam (getUserMedia). The picture
// is drawn on a canvas, encoded as JPEG and put in the form's file field, so the form posts it
// like an uploaded file (the server re-encodes it and strips everything but the pixels).
// Without a camera, or when it is refused, the file field stays for an upload. No inline
// script: the page's Content-Security-Policy allows only this file.
(function () {
  "use strict";
  var box = document.querySelector("[data-camera]");
  var form = document.querySelector("[data-testid=admission-form]");
  if (!box || !form) return;
  var video = box.querySelector("[data-camera-video]");
  var canvas = box.querySelector("[data-camera-canvas]");
  var preview = box.querySelector("[data-camera-preview]");
  var take = box.querySelector("[data-camera-take]");
  var again = box.querySelector("[data-camera-again]");
  var status = box.querySelector("[data-camera-status]");
  var input = form.querySelector("input[type=file][name=photo]");
  var source = form.querySelector("input[name=photo_source]");
  var missing = document.querySelector("[data-camera-missing]");
  var stream = null;

  function noCamera() {
    box.hidden = true;
    if (missing) missing.hidden = false;
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.DataTransfer) {
    noCamera();
    return;
  }
  navigator.mediaDevices
    .getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
    .then(function (s) {
      stream = s;
      video.srcObject = s;
      box.hidden = false;
      box.setAttribute("data-ready", "1");
    })
    .catch(noCamera);

  take.addEventListener("click", function () {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) {
      status.textContent = take.getAttribute("data-wait") || "…";
      return;
    }
    canvas.width = w;
    canvas.height = h;
    canvas.getContext("2d").drawImage(video, 0, 0, w, h);
    canvas.toBlob(
      function (blob) {
        if (!blob) return;
        var file = new File([blob], "foto.jpg", { type: "image/jpeg" });
        var list = new DataTransfer();
        list.items.add(file);
        input.files = list.files;
        source.value = "camera";
        preview.src = canvas.toDataURL("image/jpeg", 0.9); // data: is allowed by img-src
        preview.hidden = false;
        video.hidden = true;
        take.hidden = true;
        again.hidden = false;
        box.setAttribute("data-taken", "1");
      },
      "image/jpeg",
      0.9
    );
  });

  again.addEventListener("click", function () {
    input.value = "";
    source.value = "upload";
    preview.hidden = true;
    video.hidden = false;
    take.hidden = false;
    again.hidden = true;
    box.removeAttribute("data-taken");
  });

  input.addEventListener("change", function () {
    if (input.files.length && !box.hasAttribute("data-taken")) source.value = "upload";
  });

  window.addEventListener("pagehide", function () {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
  });
})();
