// Examiner-led interview, on the examiner's tablet: a timer through the frame's phases, one
// recording of the whole conversation, and its upload. What is recorded goes into IndexedDB
// every second while recording (a crash or a reload keeps what was said so far, and sends it
// when the page comes back), and stays there until the server has acknowledged the recording.
// Uploaded in chunks with SHA-256 checksums, as the kiosk does. No inline script (CSP); all text
// comes from data-* attributes rendered and translated by the server.
(function () {
  "use strict";

  // What changes elsewhere (the kiosk reaches the task, another examiner takes it, the test
  // ends) is noticed here: the page asks the server every few seconds and reloads when the
  // state it was drawn with is out of date, never while recording or saving.
  const watch = document.querySelector("[data-status-url]");
  if (watch && window.fetch) {
    const every = 1000 * (parseInt(watch.dataset.statusSeconds || "4", 10) || 4);
    setInterval(async () => {
      const recorder = document.getElementById("interview");
      if (recorder && ["recording", "saving"].includes(recorder.dataset.state)) return;
      try {
        const response = await fetch(watch.dataset.statusUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const body = await response.json();
        if (body.key && body.key !== watch.dataset.statusKey) location.reload();
      } catch (err) {
        // offline: the next poll tries again
      }
    }, every);
  }

  const box = document.getElementById("interview");
  if (!box || !window.indexedDB || !window.fetch || !window.crypto || !crypto.subtle) return;
  const RETRY_MS = 3000;
  const key = box.dataset.session + ":" + box.dataset.item;
  const chunkBytes = Math.max(1024, parseInt(box.dataset.chunkBytes || "262144", 10));
  const phases = (box.dataset.phases || "60,240,20").split(",").map((n) => parseInt(n, 10));
  const button = box.querySelector("[data-record]");
  const status = box.querySelector("[data-status]");
  const timer = box.querySelector("[data-timer]");
  const phase = box.querySelector("[data-phase]");
  const phaseNames = Array.from(box.querySelectorAll(".frame h3"), (h) => h.textContent);
  const rateButton = box.querySelector("[data-testid=interview-rate]");
  const label = (name) => box.dataset["label" + name] || "";

  let dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open("attest-interview", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("interviews", { keyPath: "key" });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }
  async function idb(mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("interviews", mode);
      let result;
      const req = fn(tx.objectStore("interviews"));
      if (req) req.onsuccess = () => (result = req.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const idbGet = () => idb("readonly", (s) => s.get(key));
  const idbPut = (entry) => idb("readwrite", (s) => s.put(entry));
  const idbDelete = () => idb("readwrite", (s) => s.delete(key));

  function newId() {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
  async function sha256Hex(buffer) {
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function csrf() {
    return (document.querySelector("input[name=csrf_token]") || {}).value || "";
  }
  class Offline extends Error {}
  async function send(url, options) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", ...options });
    } catch (err) {
      throw new Offline(String(err));
    }
    const body = (response.headers.get("Content-Type") || "").includes("json")
      ? await response.json().catch(() => ({}))
      : {};
    if (response.status >= 500) throw new Offline("status " + response.status);
    return { ok: response.ok, body: body || {} };
  }
  const postJson = (url, data) =>
    send(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(data),
    });

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function showTime(elapsed) {
    timer.textContent = clock(elapsed);
    let index = 0;
    let end = phases[0];
    while (index < phases.length - 1 && elapsed >= end) end += phases[++index];
    phase.textContent = phaseNames[[0, 1, 3][index]] || ""; // opening, task, closing
    box.dataset.phase = String(index);
    box.classList.toggle("overrun", elapsed > phases.reduce((a, b) => a + b, 0));
  }

  async function upload(entry) {
    const uploadUrl = box.dataset.uploadUrl;
    const begin = await postJson(uploadUrl, {
      upload_id: entry.upload_id,
      content_type: entry.type,
      size: entry.size,
      sha256: entry.sha256,
      chunk_size: chunkBytes,
      chunk_count: Math.max(1, Math.ceil(entry.size / chunkBytes)),
      duration_ms: entry.duration_ms,
    });
    if (!begin.ok) throw new Error(begin.body.message || "refused");
    const base = `${uploadUrl}/${entry.upload_id}`;
    const have = new Set(begin.body.received || []);
    for (let i = 0; i < begin.body.chunk_count; i++) {
      if (have.has(i)) continue;
      const buffer = await entry.blob.slice(i * chunkBytes, (i + 1) * chunkBytes).arrayBuffer();
      const res = await send(`${base}/chunks/${i}`, {
        method: "PUT",
        body: buffer,
        headers: {
          "Content-Type": "application/octet-stream",
          "X-Content-SHA256": await sha256Hex(buffer),
          "X-CSRFToken": csrf(),
        },
      });
      if (!res.ok) throw new Error(res.body.message || "chunk refused");
    }
    const done = await postJson(`${base}/complete`, {});
    if (!done.ok) throw new Error(done.body.message || "refused");
    return done.body;
  }

  async function finishAndSend(entry) {
    if (!entry.sha256) {
      const blob = new Blob(entry.parts, { type: entry.mime || "audio/webm" });
      Object.assign(entry, {
        blob,
        parts: [],
        type: blob.type.split(";")[0],
        size: blob.size,
        sha256: await sha256Hex(await blob.arrayBuffer()),
        state: "recorded",
      });
      await idbPut(entry).catch(() => {});
    }
    button.hidden = true;
    status.textContent = label("Saving");
    box.dataset.state = "saving";
    for (let attempt = 0; ; attempt++) {
      try {
        await upload(entry);
        await idbDelete().catch(() => {});
        box.dataset.state = "saved";
        status.textContent = label("Saved");
        if (rateButton) rateButton.disabled = false;
        return;
      } catch (err) {
        if (!(err instanceof Offline) && attempt >= 2) {
          box.dataset.state = "failed";
          status.textContent = label("Failed");
          return; // kept in IndexedDB: the next load of this page sends it again
        }
        status.textContent = label("Retrying");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  async function record() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      status.textContent = label("NoMic");
      return;
    }
    const mime = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find(
      (t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t),
    );
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    const entry = {
      key,
      upload_id: newId(),
      state: "recording",
      mime: recorder.mimeType || mime || "audio/webm",
      parts: [],
      started: Date.now(),
      duration_ms: 0,
    };
    let ticker = null;
    recorder.ondataavailable = (event) => {
      if (!event.data.size) return;
      entry.parts.push(event.data);
      entry.duration_ms = Date.now() - entry.started;
      idbPut(entry).catch(() => {}); // what was said so far survives a crash
    };
    recorder.onstop = async () => {
      clearInterval(ticker);
      stream.getTracks().forEach((t) => t.stop());
      entry.duration_ms = Date.now() - entry.started;
      finishAndSend(entry);
    };
    recorder.start(1000);
    box.dataset.state = "recording";
    button.textContent = label("Stop");
    button.onclick = () => recorder.state === "recording" && recorder.stop();
    ticker = setInterval(() => {
      const elapsed = (Date.now() - entry.started) / 1000;
      showTime(elapsed);
      status.textContent = label("Recording").replace("{t}", clock(elapsed));
    }, 250);
  }

  if (button) {
    button.textContent = label("Start");
    button.onclick = record;
  }
  // A recording the server has not acknowledged (a crash, a reload, the network): send it now.
  idbGet()
    .then((entry) => {
      if (entry && !box.dataset.recorded) finishAndSend(entry);
      else if (entry) idbDelete();
    })
    .catch(() => {});
})();
