// The spoken instructions: one big play/pause button instead of the small native controls.
// Labels come from data-* attributes rendered (and translated) by the server.
(function () {
  "use strict";
  const box = document.querySelector("[data-instructions-audio]");
  if (!box) return;
  const audio = box.querySelector("audio");
  const button = box.querySelector(".listen-button");
  const label = button.querySelector(".listen-label");
  const show = () => {
    const playing = !audio.paused && !audio.ended;
    label.textContent = playing ? box.dataset.labelPause : box.dataset.labelPlay;
  };
  audio.removeAttribute("controls");
  button.hidden = false;
  button.addEventListener("click", () => (audio.paused ? audio.play() : audio.pause()));
  ["play", "pause", "ended"].forEach((name) => audio.addEventListener(name, show));
  show();
})();
