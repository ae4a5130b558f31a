// Kiosk session behaviour: heartbeat, countdown from the server's clock, audio plays granted by
// the server, sound check, focus reports, full screen, back button and links kept inside the
// test. No inline scripts (CSP): data comes from data-* attributes rendered by the server, and
// every text shown is rendered (and translated) there. The server decides; this only shows.
(function () {
  "use strict";

  const root = document.getElementById("kiosk-session");
  const data = root ? root.dataset : {};
  const csrf = () =>
    data.csrf || (document.querySelector("input[name=csrf_token]") || {}).value || "";

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {}),
    });
  }

  // --- Full screen: browsers allow it only after a gesture, so ask on the first touch or key.
  let wasFullScreen = false;
  function askFullScreen() {
    const el = document.documentElement;
    if (document.fullscreenElement || !document.fullscreenEnabled || !el.requestFullscreen) return;
    el.requestFullscreen()
      .then(() => {
        wasFullScreen = true;
      })
      .catch(() => {});
  }
  document.addEventListener("pointerdown", askFullScreen, { capture: true });
  document.addEventListener("keydown", askFullScreen, { capture: true });

  // --- Stay inside the test: no links out, no new windows, the back button goes nowhere.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a[href]");
      if (!link) return;
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !url.pathname.startsWith("/kiosk/") || link.target) {
        event.preventDefault();
      }
    },
    { capture: true },
  );
  document.addEventListener("contextmenu", (event) => event.preventDefault());
  if (window.history && history.pushState) {
    history.pushState({ kiosk: true }, "", location.href);
    window.addEventListener("popstate", () => history.pushState({ kiosk: true }, "", location.href));
  }

  // --- Focus loss: reported to the server, which records it for the proctor.
  function reportFocus(how) {
    if (!root || !data.focusUrl) return;
    const position = parseInt(data.position || "0", 10) || null;
    post(data.focusUrl, { how: how, position: position }, true).catch(() => {});
  }
  // Going to the next question unloads the page, and unloading turns it "hidden" after
  // pagehide (HTML, "unload a document"): that is no candidate leaving, so it is not reported.
  let unloading = false;
  window.addEventListener("pagehide", () => { unloading = true; });
  window.addEventListener("pageshow", () => { unloading = false; });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && !unloading) reportFocus("hidden");
  });
  window.addEventListener("blur", () => {
    if (document.visibilityState === "visible") reportFocus("blur");
  });
  // The state is read when the event is dispatched (at the next frame), so an entry and an exit
  // in one frame both read "not full screen": the resolved request above remembers the entry.
  document.addEventListener("fullscreenchange", () => {
    if (document.fullscreenElement) {
      wasFullScreen = true;
    } else if (wasFullScreen) {
      wasFullScreen = false;
      reportFocus("fullscreen_exit");
    }
  });

  // --- Countdown: the server's time left, counted down here and corrected by every heartbeat.
  const countdown = document.querySelector("[data-countdown]");
  const timeText = countdown && countdown.querySelector(".countdown-time");
  const announce = document.querySelector("[data-countdown-announce]");
  let deadline = countdown ? performance.now() + 1000 * Number(countdown.dataset.remaining) : 0;
  let warned = false;
  let expiredAsked = false;

  function format(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function tick() {
    if (!countdown) return;
    const left = (deadline - performance.now()) / 1000;
    timeText.textContent = format(left);
    countdown.classList.toggle("low", left <= 60);
    if (left <= 60 && !warned && announce) {
      warned = true;
      announce.textContent = countdown.dataset.labelLow;
    }
    if (left <= 0 && !expiredAsked) {
      expiredAsked = true; // the server closes the section; ask it (after its grace) what next
      document.querySelectorAll("form.item-form button[type=submit]").forEach((b) => {
        b.disabled = true;
      });
      setTimeout(beat, 2500);
    }
  }

  // --- Heartbeat: a sign of life, and the server's word on pause, time and the section.
  const onPausePage = data.paused === "true";
  async function beat() {
    if (!root) return;
    try {
      const response = await post(data.heartbeatUrl, {
        skill: data.skill || null,
        position: parseInt(data.position || "0", 10) || null,
        visible: document.visibilityState === "visible",
        interview: data.interview === "true", // waiting for an examiner: moved_on when done
      });
      if (!response.ok) return;
      const state = await response.json();
      if (state.state === "paused" && !onPausePage) location.assign(state.next_url);
      else if (state.state !== "paused" && onPausePage) location.assign(state.next_url);
      else if (state.state === "moved_on" || state.state === "ended") location.assign(state.next_url);
      else if (countdown && state.remaining_seconds !== null && state.skill === data.skill) {
        deadline = performance.now() + 1000 * state.remaining_seconds;
        if (state.remaining_seconds > 0) expiredAsked = false;
        if (expiredAsked && state.remaining_seconds <= 0) setTimeout(beat, 1500);
      }
    } catch (err) {
      // offline: the countdown goes on locally; the next beat tells the server we are back
    }
  }
  if (root) {
    const every = 1000 * (parseInt(data.heartbeatSeconds || "10", 10) || 10);
    setInterval(beat, every);
    if (countdown) setInterval(tick, 250);
    tick();
  }

  // --- Listening clips: each play is granted by the server, which counts it.
  function setupPlayer(box) {
    const button = box.querySelector(".play-button");
    const audio = box.querySelector("audio");
    const status = box.querySelector(".player-status");
    if (!button || !audio) return;
    button.addEventListener("click", async () => {
      if (!audio.paused) return;
      button.disabled = true;
      let answer;
      try {
        const response = await post(box.dataset.playUrl, {});
        answer = await response.json();
      } catch (err) {
        status.textContent = box.dataset.labelFailed;
        button.disabled = false;
        return;
      }
      if (!answer.allowed) {
        status.textContent = answer.message || "";
        if (answer.error !== "limit" && answer.error !== "time_up") button.disabled = false;
        return;
      }
      const left = answer.max_plays ? answer.max_plays - answer.plays : null;
      audio.src = answer.src;
      status.textContent = box.dataset.labelPlaying;
      audio.onended = () => {
        audio.removeAttribute("src");
        audio.load();
        if (left === null || left > 0) {
          button.disabled = false;
          status.textContent = left === null ? "" : answer.label_left;
        } else {
          status.textContent = answer.label_done;
        }
      };
      audio.play().catch(() => {
        status.textContent = box.dataset.labelFailed;
      });
    });
  }
  document.querySelectorAll("[data-player]").forEach(setupPlayer);

  // --- The sound check's sample plays as often as the candidate likes; it is not counted.
  document.querySelectorAll("[data-sample-player]").forEach((box) => {
    const audio = box.querySelector("audio");
    box.querySelector(".play-button").addEventListener("click", () => {
      audio.currentTime = 0;
      audio.play().catch(() => {});
    });
  });
})();
