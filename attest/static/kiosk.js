// Kiosk client: no answer is ever lost, whatever the network does.
// - Answers go into a queue in IndexedDB first, then to the server in order, each with a key the
//   server stores once; while the network is away the kiosk shows the questions it fetched ahead
//   and a calm notice, and sends the queue when the connection returns.
// - Spoken answers: a microphone check with a level meter (a silent or missing microphone calls
//   the proctor), a preparation countdown, a recording kept in IndexedDB until the server has
//   acknowledged it, uploaded in chunks with SHA-256 checksums (resumable).
// - Writing: the text is saved as the candidate types (debounced) and on leaving the task.
// No inline scripts (CSP); all text comes from data-* attributes rendered and translated by the
// server. Without JavaScript the forms still work as plain HTML forms.
(function () {
  "use strict";

  const RETRY_MS = 3000;
  const DRAFT_DELAY_MS = 800;
  const SPEECH_DBFS = -45; // the same threshold the server uses (audio_checks.SPEECH_DBFS)
  const MIC_CHECK_MS = 6000;
  const MIC_HEARD_MS = 300;
  const CHUNK_RETRIES = 3;

  // ---------------------------------------------------------------- IndexedDB
  let dbPromise = null;
  function openDb() {
    if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open("attest-kiosk", 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore("answers", { keyPath: "id", autoIncrement: true });
          db.createObjectStore("recordings", { keyPath: "upload_id" });
          db.createObjectStore("drafts", { keyPath: "id" });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  async function store(name, mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      let result;
      const req = fn(tx.objectStore(name));
      if (req) req.onsuccess = () => (result = req.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const idbAll = (name) => store(name, "readonly", (s) => s.getAll());
  const idbGet = (name, key) => store(name, "readonly", (s) => s.get(key));
  const idbPut = (name, value) => store(name, "readwrite", (s) => s.put(value));
  const idbDelete = (name, key) => store(name, "readwrite", (s) => s.delete(key));

  // ---------------------------------------------------------------- helpers
  function newKey() {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
  }

  async function sha256Hex(buffer) {
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  class Offline extends Error {}

  async function send(url, options) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", ...options });
    } catch (err) {
      throw new Offline(String(err));
    }
    let body = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      body = await response.json().catch(() => null);
    }
    if (response.status >= 500 || (!response.ok && !body)) {
      // a server in trouble or a page we do not understand: keep everything, try again later
      throw new Offline("status " + response.status);
    }
    return { status: response.status, ok: response.ok, body: body || {} };
  }

  function postJson(url, data, extra) {
    return send(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data),
      ...(extra || {}),
    });
  }

  // ---------------------------------------------------------------- page context and notice
  let page = null; // {form, session, position}

  function notice(kind) {
    const box = document.querySelector("[data-offline-notice]");
    if (!box) return;
    if (!kind) {
      box.hidden = true;
      return;
    }
    box.textContent = box.dataset["label" + kind[0].toUpperCase() + kind.slice(1)] || "";
    box.dataset.state = kind;
    box.hidden = false;
  }

  function itemUrl(position) {
    return page.form.dataset.itemUrl.replace(/\/0$/, "/" + position);
  }

  // ---------------------------------------------------------------- answer queue
  let flushing = null;
  let online = true;
  // refusals that no new answer can fix: a queue of an earlier session, a question that is gone
  const IGNORED = ["wrong_session", "no_such_item"];

  // Send queued answers in order. Resolves with {next, refused}; rejects with Offline.
  function flush() {
    if (flushing) return flushing;
    flushing = (async () => {
      let next = null;
      let refused = null;
      const entries = (await idbAll("answers")).sort((a, b) => a.id - b.id);
      for (const entry of entries) {
        const res = await postJson(entry.url, {
          session: entry.session,
          key: entry.key,
          fields: entry.fields,
        });
        await idbDelete("answers", entry.id);
        if (res.ok) next = res.body.next_url;
        else if (!IGNORED.includes(res.body.error) && !refused) refused = { entry, body: res.body };
      }
      return { next, refused, sent: entries.length };
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  // Flush until the entry with `key` has been sent (a flush already under way may predate it).
  async function flushUntilSent(key) {
    for (;;) {
      const result = await flush();
      const left = await idbAll("answers");
      if (!left.some((entry) => entry.key === key)) return result;
    }
  }

  let retryTimer = null;
  function scheduleRetry(onDone) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => retryQueue(onDone), RETRY_MS);
  }

  async function retryQueue(onDone) {
    try {
      const result = await flush();
      online = true;
      if (result.sent) notice("sent");
      if (onDone) onDone(result);
      else if (result.refused) location.assign(itemUrl(result.refused.entry.position));
    } catch (err) {
      if (!(err instanceof Offline)) throw err;
      online = false;
      scheduleRetry(onDone);
    }
  }

  function collectFields(form) {
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (name === "csrf_token" || name === "answer_key" || typeof value !== "string") continue;
      (fields[name] = fields[name] || []).push(value);
    }
    return fields;
  }

  function showError(form, text) {
    let error = form.querySelector(".error[data-client-error]");
    if (!error) {
      error = document.createElement("p");
      error.className = "error big";
      error.setAttribute("role", "alert");
      error.dataset.clientError = "";
      form.querySelector(".nav").before(error);
    }
    error.textContent = text;
  }

  function cacheKey(position) {
    return `attest:item:${page.session}:${position}`;
  }

  // Fetch the planned questions ahead of this one, to go on while the network is away.
  async function prefetch() {
    const ahead = (page.form.dataset.ahead || "").split(",").filter(Boolean);
    try {
      for (let i = 0; i < sessionStorage.length; i++) {
        const key = sessionStorage.key(i);
        const match = key && key.match(/^attest:item:(\d+):(\d+)$/);
        if (match && (Number(match[1]) !== page.session || Number(match[2]) <= page.position)) {
          sessionStorage.removeItem(key);
          i--;
        }
      }
      for (const position of ahead) {
        if (!online) return;
        if (sessionStorage.getItem(cacheKey(position))) continue;
        const response = await fetch(itemUrl(position), {
          credentials: "same-origin",
          headers: { "X-Attest-Prefetch": "1" },
        });
        if (response.ok && !response.redirected) {
          sessionStorage.setItem(cacheKey(position), await response.text());
        }
      }
    } catch (err) {
      // prefetching is a convenience: the queue works without it
    }
  }

  // Show a question fetched ahead in place of this page (while offline).
  function swapTo(position) {
    let html = null;
    try {
      html = sessionStorage.getItem(cacheKey(position));
    } catch (err) {
      html = null;
    }
    if (!html) return false;
    const doc = new DOMParser().parseFromString(html, "text/html");
    const main = doc.querySelector("main");
    if (!main || !main.querySelector("form.item-form[data-session]")) return false;
    document.querySelector("main").replaceWith(document.adoptNode(main));
    // only the progress indicator of the bar: other parts (a countdown) keep running
    const progress = doc.querySelector(".kiosk-bar .progress");
    const oldProgress = document.querySelector(".kiosk-bar .progress");
    if (progress && oldProgress) oldProgress.replaceWith(document.adoptNode(progress));
    document.title = doc.title;
    history.replaceState(null, "", itemUrl(position));
    init();
    window.scrollTo(0, 0);
    document.dispatchEvent(new CustomEvent("attest:item-swapped", { detail: { position } }));
    return true;
  }

  // Offline with nothing fetched ahead: wait calmly; go on by itself when the queue is sent.
  function waitForConnection() {
    notice("wait");
    page.form.querySelectorAll("button, input, select, textarea").forEach((el) => {
      el.disabled = true;
    });
    scheduleRetry((result) => {
      location.assign(
        result.refused ? itemUrl(result.refused.entry.position) : result.next || itemUrl(page.position)
      );
    });
  }

  function setupAnswerForm(form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return;
      if (form.querySelector("[data-recorder][data-pending], [data-conversation][data-pending]")) {
        notice("recordingWait");
        return;
      }
      const fields = collectFields(form);
      if (!Object.values(fields).some((values) => values.some((v) => v.trim()))) {
        showError(form, document.querySelector("[data-offline-notice]").dataset.labelNoAnswer);
        return;
      }
      form.dataset.busy = "1";
      const position = page.position;
      const key = newKey();
      try {
        await saveDraftNow();
        await idbPut("answers", {
          session: page.session,
          position,
          url: form.dataset.answerUrl,
          key,
          fields,
        });
        const area = form.querySelector("textarea[data-draft-url]");
        if (area) await idbDelete("drafts", `${page.session}:${position}`);
      } catch (err) {
        form.submit(); // no IndexedDB (private mode?): the plain form still works
        return;
      }
      try {
        const result = await flushUntilSent(key);
        online = true;
        notice(null);
        if (result.refused && result.refused.entry.key === key) {
          delete form.dataset.busy; // this answer was refused: say why, here
          showError(form, result.refused.body.message || "");
        } else if (result.refused) {
          location.assign(itemUrl(result.refused.entry.position));
        } else {
          location.assign(result.next || itemUrl(position + 1));
        }
      } catch (err) {
        if (!(err instanceof Offline)) {
          form.submit(); // something unexpected in the browser: the plain form still works
          return;
        }
        online = false;
        delete form.dataset.busy;
        if (swapTo(position + 1)) {
          notice("offline");
          scheduleRetry();
        } else {
          waitForConnection();
        }
      }
    });
    // Going back while answers wait in the queue would show them unanswered: wait instead.
    form.querySelectorAll(".nav a").forEach((link) => {
      link.addEventListener("click", async (event) => {
        if (!online) {
          event.preventDefault();
          notice("offline");
          return;
        }
        event.preventDefault();
        await saveDraftNow();
        location.assign(link.href);
      });
    });
  }

  // ---------------------------------------------------------------- writing drafts
  let saveDraftNow = async () => {};

  function setupDraft(area) {
    const url = area.dataset.draftUrl;
    if (!url || !page) return;
    const status = area.parentElement.querySelector("[data-draft-status]");
    const id = `${page.session}:${page.position}`;
    let seq = Number(area.dataset.draftSeq || 0);
    let saved = area.value;
    let timer = null;

    async function save() {
      clearTimeout(timer);
      if (area.value === saved) return;
      const text = area.value;
      seq = Math.max(Date.now(), seq + 1);
      const mySeq = seq;
      try {
        await idbPut("drafts", { id, text, seq: mySeq });
      } catch (err) {
        // the server copy below still counts
      }
      if (status) status.textContent = area.dataset.labelSaving;
      try {
        const res = await postJson(
          url,
          { session: page.session, seq: mySeq, text },
          { keepalive: text.length < 60000 },
        );
        if (res.ok) {
          saved = text;
          if (status && mySeq === seq) status.textContent = area.dataset.labelSaved;
        }
      } catch (err) {
        if (!(err instanceof Offline)) throw err;
        if (status) status.textContent = area.dataset.labelLocal;
      }
    }

    saveDraftNow = save;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(save, DRAFT_DELAY_MS);
    });
    area.addEventListener("blur", save);
    window.addEventListener("pagehide", save);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save();
    });
    // A text kept on this computer that the server never got (offline, then reloaded).
    idbGet("drafts", id)
      .then((local) => {
        if (local && local.seq > seq && local.text !== area.value) {
          area.value = local.text;
          area.dispatchEvent(new Event("input"));
        }
      })
      .catch(() => {});
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

  // ---------------------------------------------------------------- speaking
  function dbfs(rms) {
    return rms > 1e-6 ? 20 * Math.log10(rms) : -120;
  }

  function levelMeter(stream, meter) {
    const context = new (window.AudioContext || window.webkitAudioContext)();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(stream).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    const listeners = [];
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(data);
      let sum = 0;
      for (const x of data) sum += x * x;
      const level = dbfs(Math.sqrt(sum / data.length));
      if (meter) meter.value = Math.min(1, Math.max(0, (level + 60) / 60));
      listeners.forEach((fn) => fn(level));
    }, 50);
    context.resume().catch(() => {});
    return {
      onLevel: (fn) => listeners.push(fn),
      close() {
        clearInterval(timer);
        context.close().catch(() => {});
      },
    };
  }

  async function putChunk(base, entry, index, chunkBytes) {
    const slice = entry.blob.slice(index * chunkBytes, (index + 1) * chunkBytes);
    const buffer = await slice.arrayBuffer();
    const checksum = await sha256Hex(buffer);
    for (let attempt = 0; attempt < CHUNK_RETRIES; attempt++) {
      const res = await send(`${base}/chunks/${index}`, {
        method: "PUT",
        body: buffer,
        headers: {
          "Content-Type": "application/octet-stream",
          "X-Content-SHA256": checksum,
          "X-Attest-Session": String(entry.session),
          "X-CSRFToken": csrfToken(),
        },
      });
      if (res.ok) return;
      if (res.body.error !== "checksum") break; // only a damaged chunk is worth re-sending
    }
    throw new Error("chunk " + index + " refused");
  }

  // Send one recording in chunks (resumable: the server says which chunks it holds) and
  // complete it; a conversation turn names its turn. Returns the server's acknowledgement.
  async function uploadRecording(uploadUrl, chunkBytes, entry) {
    const begin = await postJson(uploadUrl, {
      session: entry.session,
      upload_id: entry.upload_id,
      content_type: entry.type,
      size: entry.size,
      sha256: entry.sha256,
      chunk_size: chunkBytes,
      chunk_count: Math.max(1, Math.ceil(entry.size / chunkBytes)),
      duration_ms: entry.duration_ms,
      ...(entry.turn ? { turn: entry.turn } : {}),
    });
    if (!begin.ok) throw new Error(begin.body.message || "upload refused");
    const base = `${uploadUrl}/${entry.upload_id}`;
    if (begin.body.complete) return begin.body;
    for (;;) {
      const have = new Set(begin.body.received);
      for (let i = 0; i < begin.body.chunk_count; i++) {
        if (!have.has(i)) await putChunk(base, entry, i, chunkBytes);
      }
      const done = await postJson(`${base}/complete`, { session: entry.session });
      if (done.ok) return done.body;
      if (done.body.error !== "missing_chunks") throw new Error(done.body.message);
      begin.body.received = Array.from(
        { length: begin.body.chunk_count },
        (_, i) => i,
      ).filter((i) => !done.body.missing.includes(i));
    }
  }

  function setupRecorder(box) {
    const uploadUrl = box.dataset.uploadUrl;
    if (!uploadUrl || !page) return; // a preview outside a session: nothing to record
    const label = (name, n) => (box.dataset["label" + name] || "").replace("{n}", String(n));
    const maxSeconds = parseInt(box.dataset.maxRecordingSeconds || "60", 10);
    const prepSeconds = parseInt(box.dataset.preparationSeconds || "0", 10);
    const chunkBytes = Math.max(1024, parseInt(box.dataset.chunkBytes || "262144", 10));
    const input = box.querySelector("input[type=hidden]");
    const check = box.querySelector("[data-mic-check]");
    const micButton = box.querySelector("[data-mic-start]");
    const micStatus = box.querySelector("[data-mic-status]");
    const meter = box.querySelector("[data-level-meter]");
    const placeholder = box.querySelector(".recorder-placeholder");
    if (placeholder) placeholder.remove();
    const status = document.createElement("p");
    status.className = "recorder-status";
    status.setAttribute("aria-live", "polite");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "big recorder-button";
    button.hidden = true;
    box.append(button, status);
    check.hidden = false;

    let stream = null;
    let meterHandle = null;
    let action = null;
    button.addEventListener("click", () => action && action());

    function show(text, buttonLabel, onClick) {
      status.textContent = text;
      button.hidden = !buttonLabel;
      button.disabled = false;
      if (buttonLabel) button.textContent = buttonLabel;
      action = onClick || null;
    }

    function release() {
      if (meterHandle) meterHandle.close();
      if (stream) stream.getTracks().forEach((track) => track.stop());
      meterHandle = stream = null;
    }

    async function reportMic(ok, reason, level) {
      try {
        await postJson(box.dataset.microphoneUrl, {
          session: page.session,
          ok,
          reason,
          level_dbfs: level,
        });
      } catch (err) {
        // the proctor sees the kiosk's screen too; the check itself stays on screen
      }
    }

    async function microphoneCheck() {
      micButton.disabled = true;
      release();
      try {
        const devices = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
        if (devices.length && !devices.some((d) => d.kind === "audioinput")) {
          throw Object.assign(new Error("no input"), { name: "NotFoundError" });
        }
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        micStatus.textContent = box.dataset.labelNoMic;
        box.dataset.mic = "missing";
        micButton.disabled = false;
        reportMic(false, err && err.name === "NotAllowedError" ? "denied" : "no_microphone", null);
        return;
      }
      micStatus.textContent = box.dataset.labelMicListening;
      meterHandle = levelMeter(stream, meter);
      let heard = 0;
      let loudest = -120;
      const started = Date.now();
      await new Promise((resolve) => {
        meterHandle.onLevel((level) => {
          loudest = Math.max(loudest, level);
          if (level > SPEECH_DBFS) heard += 50;
          if (heard >= MIC_HEARD_MS || Date.now() - started > MIC_CHECK_MS) resolve();
        });
      });
      micButton.disabled = false;
      if (heard < MIC_HEARD_MS) {
        micStatus.textContent = box.dataset.labelMicSilent;
        box.dataset.mic = "silent";
        release();
        reportMic(false, "silent", Math.round(loudest * 10) / 10);
        return;
      }
      box.dataset.mic = "ok";
      micStatus.textContent = box.dataset.labelMicOk;
      micButton.hidden = true;
      reportMic(true, null, Math.round(loudest * 10) / 10);
      prepare();
    }

    function prepare() {
      let left = prepSeconds;
      if (left <= 0) return record();
      const tick = () => {
        if (action !== record) return;
        if (left <= 0) return record();
        status.textContent = label("Prepare", left);
        left -= 1;
        setTimeout(tick, 1000);
      };
      show(label("Prepare", left), box.dataset.labelStart, record);
      tick();
    }

    function record() {
      action = null;
      const chunks = [];
      const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find(
        (t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t),
      );
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      let startedAt = 0;
      let timer = null;
      recorder.ondataavailable = (event) => {
        if (event.data.size) chunks.push(event.data);
      };
      recorder.onstart = () => {
        startedAt = performance.now();
        const tick = () => {
          const left = Math.max(0, Math.ceil(maxSeconds - (performance.now() - startedAt) / 1000));
          status.textContent = label("Recording", left);
          if (left <= 0) recorder.state === "recording" && recorder.stop();
          else timer = setTimeout(tick, 250);
        };
        tick();
      };
      recorder.onstop = async () => {
        clearTimeout(timer);
        const durationMs = Math.round(performance.now() - startedAt);
        release();
        const blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
        const entry = {
          upload_id: newKey(),
          session: page.session,
          position: page.position,
          blob,
          type: blob.type.split(";")[0],
          size: blob.size,
          sha256: await sha256Hex(await blob.arrayBuffer()),
          duration_ms: durationMs,
        };
        box.dataset.pending = "1";
        try {
          await idbPut("recordings", entry);
        } catch (err) {
          // kept in memory only: the upload below still runs
        }
        upload(entry);
      };
      show(label("Recording", maxSeconds), box.dataset.labelStop, () => {
        if (recorder.state === "recording") recorder.stop();
      });
      box.dataset.state = "recording";
      recorder.start(1000);
    }

    const uploadOnce = (entry) => uploadRecording(uploadUrl, chunkBytes, entry);

    async function upload(entry) {
      box.dataset.state = "saving";
      show(box.dataset.labelSaving);
      for (let attempt = 0; ; attempt++) {
        try {
          const ack = await uploadOnce(entry);
          input.value = ack.recording_id;
          delete box.dataset.pending;
          await idbDelete("recordings", entry.upload_id).catch(() => {});
          box.classList.add("recorded");
          box.dataset.state = ack.flag ? "flagged" : "saved";
          const flagLabel = ack.flag === "truncated" ? "FlagTruncated" : "FlagSilent";
          show(
            ack.flag ? box.dataset["label" + flagLabel] : box.dataset.labelSaved,
            box.dataset.labelAgain,
            again,
          );
          return;
        } catch (err) {
          if (!(err instanceof Offline) && attempt >= 2) {
            delete box.dataset.pending;
            await idbDelete("recordings", entry.upload_id).catch(() => {});
            box.dataset.state = "failed";
            show(box.dataset.labelFailed, box.dataset.labelAgain, again);
            return;
          }
          show(box.dataset.labelRetrying);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    }

    function again() {
      check.hidden = false;
      micButton.hidden = false;
      button.hidden = true;
      status.textContent = "";
      microphoneCheck();
    }

    micButton.addEventListener("click", microphoneCheck);
    // A recording that was not yet acknowledged when the page went away: send it now.
    idbAll("recordings")
      .then((entries) => {
        const mine = entries.filter(
          (e) => e.session === page.session && e.position === page.position,
        );
        if (mine.length) {
          box.dataset.pending = "1";
          upload(mine[mine.length - 1]);
        }
      })
      .catch(() => {});
  }

  // ---------------------------------------------------------------- semi-direct conversation
  // Each turn: the interlocutor's clip plays (once, or once more when the bank allows a
  // replay), then the answer is recorded for exactly the turn's seconds with a countdown, and
  // the next turn follows by itself. Every answer is kept on this computer (IndexedDB) and sent
  // at once, naming its turn; the server keeps it, so a reload resumes at the first turn that
  // has no answer. After the last turn the form is sent with one recording id per turn.
  function setupConversation(box) {
    const uploadUrl = box.dataset.uploadUrl;
    if (!uploadUrl || !page) return;
    const label = (name, values) =>
      Object.entries(values || {}).reduce(
        (text, [k, v]) => text.replace("{" + k + "}", String(v)),
        box.dataset["label" + name] || "",
      );
    const chunkBytes = Math.max(1024, parseInt(box.dataset.chunkBytes || "262144", 10));
    const replays = parseInt(box.dataset.replays || "0", 10);
    const turns = Array.from(box.querySelectorAll("[data-turn]"));
    const total = turns.length;
    const progress = box.querySelector("[data-turn-progress]");
    const status = box.querySelector("[data-turn-status]");
    const placeholder = box.querySelector(".recorder-placeholder");
    if (placeholder) placeholder.remove();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "big recorder-button";
    const second = document.createElement("button");
    second.type = "button";
    second.className = "big secondary";
    second.hidden = true;
    box.append(button, second);
    const sending = new Set();
    let failed = false;

    const turnOf = (n) => turns[n - 1];
    const isKept = (n) => turnOf(n).dataset.kept === "1" || turnOf(n).dataset.local === "1";
    const firstOpen = () => {
      for (let n = 1; n <= total; n++) if (!isKept(n)) return n;
      return null;
    };

    function markKept(n, recordingId) {
      const li = turnOf(n);
      li.dataset.kept = "1";
      li.querySelector("input").value = recordingId;
      li.querySelector("[data-turn-state]").textContent = "✓";
    }

    async function send(entry) {
      sending.add(entry.upload_id);
      box.dataset.pending = "1";
      for (let attempt = 0; ; attempt++) {
        try {
          const ack = await uploadRecording(uploadUrl, chunkBytes, entry);
          markKept(entry.turn, ack.recording_id);
          await idbDelete("recordings", entry.upload_id).catch(() => {});
          break;
        } catch (err) {
          if (!(err instanceof Offline) && attempt >= 2) {
            failed = true; // kept on this computer: the proctor can reload to send it again
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
      sending.delete(entry.upload_id);
      if (!sending.size) delete box.dataset.pending;
      maybeFinish();
    }

    function maybeFinish() {
      if (firstOpen() !== null || box.dataset.state !== "done") return;
      if (sending.size) {
        status.textContent = label("Saving");
        return;
      }
      if (failed) {
        status.textContent = label("Failed");
        return;
      }
      status.textContent = label("Saved");
      page.form.requestSubmit();
    }

    function playClip(n) {
      return new Promise((resolve) => {
        const src = turnOf(n).dataset.audio;
        if (!src) return resolve();
        const clip = new Audio(src);
        clip.addEventListener("ended", resolve, { once: true });
        clip.addEventListener("error", resolve, { once: true });
        clip.play().catch(resolve);
      });
    }

    async function listen(n) {
      box.dataset.state = "listening";
      status.textContent = label("Listen");
      button.hidden = second.hidden = true;
      await playClip(n);
      for (let left = replays; left > 0; left--) {
        const again = await new Promise((resolve) => {
          button.hidden = second.hidden = false;
          button.textContent = label("AnswerNow");
          second.textContent = label("Replay");
          button.onclick = () => resolve(false);
          second.onclick = () => resolve(true);
        });
        button.hidden = second.hidden = true;
        if (!again) break;
        await playClip(n);
      }
    }

    function record(stream, n) {
      return new Promise((resolve) => {
        const seconds = parseInt(turnOf(n).dataset.answerSeconds, 10);
        const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find(
          (t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t),
        );
        const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
        const chunks = [];
        const uploadId = newKey();
        let startedAt = 0;
        let stopped = false;
        // Every second the answer so far is kept on this computer: after a reload (a crash in
        // the middle of the turn) it is sent as the turn's answer and the conversation goes on
        // with the next turn, rather than asking this turn again.
        recorder.ondataavailable = (event) => {
          if (!event.data.size) return;
          chunks.push(event.data);
          if (stopped) return;
          const blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
          idbPut("recordings", {
            upload_id: uploadId,
            partial: true,
            session: page.session,
            position: page.position,
            turn: n,
            blob,
            type: blob.type.split(";")[0],
            duration_ms: Math.round(performance.now() - startedAt),
          }).catch(() => {});
        };
        recorder.onstart = () => {
          startedAt = performance.now();
          box.dataset.state = "recording";
          const tick = () => {
            const left = Math.max(0, Math.ceil(seconds - (performance.now() - startedAt) / 1000));
            status.textContent = label("Recording", { n: left });
            box.dataset.secondsLeft = String(left);
            if (left <= 0) recorder.state === "recording" && recorder.stop();
            else setTimeout(tick, 250);
          };
          tick();
        };
        recorder.onstop = async () => {
          stopped = true;
          const blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
          const entry = {
            upload_id: uploadId, // replaces the partial copy
            session: page.session,
            position: page.position,
            turn: n,
            blob,
            type: blob.type.split(";")[0],
            size: blob.size,
            sha256: await sha256Hex(await blob.arrayBuffer()),
            duration_ms: Math.round(performance.now() - startedAt),
          };
          turnOf(n).dataset.local = "1";
          await idbPut("recordings", entry).catch(() => {});
          send(entry);
          resolve();
        };
        recorder.start(1000);
      });
    }

    // The microphone check before the conversation: the candidate speaks until the meter has
    // heard a voice; a silent or missing microphone is reported (the proctor is called) and
    // the conversation does not start. The checked stream is the one the turns record from.
    const check = box.querySelector("[data-mic-check]");
    const micButton = check && check.querySelector("[data-mic-start]");
    const micStatus = check && check.querySelector("[data-mic-status]");
    const meter = check && check.querySelector("[data-level-meter]");
    let checkedStream = null;

    function reportMic(ok, reason, level) {
      return postJson(box.dataset.microphoneUrl, {
        session: page.session,
        ok,
        reason,
        level_dbfs: level,
      }).catch(() => {});
    }

    async function microphoneCheck() {
      micButton.disabled = true;
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        micStatus.textContent = label("NoMic");
        box.dataset.mic = "missing";
        micButton.disabled = false;
        reportMic(false, err && err.name === "NotAllowedError" ? "denied" : "no_microphone", null);
        return;
      }
      micStatus.textContent = label("MicListening");
      const handle = levelMeter(stream, meter);
      let heard = 0;
      let loudest = -120;
      const started = Date.now();
      await new Promise((resolve) => {
        handle.onLevel((level) => {
          loudest = Math.max(loudest, level);
          if (level > SPEECH_DBFS) heard += 50;
          if (heard >= MIC_HEARD_MS || Date.now() - started > MIC_CHECK_MS) resolve();
        });
      });
      handle.close();
      micButton.disabled = false;
      const level = Math.round(loudest * 10) / 10;
      if (heard < MIC_HEARD_MS) {
        stream.getTracks().forEach((track) => track.stop());
        micStatus.textContent = label("MicSilent");
        box.dataset.mic = "silent";
        reportMic(false, "silent", level);
        return;
      }
      checkedStream = stream;
      box.dataset.mic = "ok";
      micStatus.textContent = label("MicOk");
      micButton.hidden = true;
      reportMic(true, null, level);
      button.hidden = false;
      box.dataset.state = "ready";
    }

    async function run() {
      button.hidden = true;
      let stream = checkedStream;
      try {
        stream = stream || (await navigator.mediaDevices.getUserMedia({ audio: true }));
      } catch (err) {
        status.textContent = label("NoMic");
        button.hidden = false;
        postJson(box.dataset.microphoneUrl, {
          session: page.session,
          ok: false,
          reason: err && err.name === "NotAllowedError" ? "denied" : "no_microphone",
          level_dbfs: null,
        }).catch(() => {});
        return;
      }
      for (let n = firstOpen(); n !== null; n = firstOpen()) {
        box.dataset.turn = String(n);
        progress.textContent = label("Progress", { n, total });
        await listen(n);
        await record(stream, n);
      }
      stream.getTracks().forEach((track) => track.stop());
      box.dataset.state = "done";
      maybeFinish();
    }

    button.addEventListener("click", () => {
      if (box.dataset.state === "done") return;
      if (!["listening", "recording"].includes(box.dataset.state)) run();
    });
    // Answers kept on this computer but not yet acknowledged (a reload): send them first.
    idbAll("recordings")
      .then((entries) => {
        entries
          .filter((e) => e.session === page.session && e.position === page.position && e.turn)
          .forEach(async (entry) => {
            if (isKept(entry.turn)) return;
            turnOf(entry.turn).dataset.local = "1";
            if (entry.partial) {
              // the answer in progress when the page went away: it is this turn's answer
              delete entry.partial;
              entry.size = entry.blob.size;
              entry.sha256 = await sha256Hex(await entry.blob.arrayBuffer());
              await idbPut("recordings", entry).catch(() => {});
            }
            send(entry);
          });
      })
      .catch(() => {})
      .finally(() => {
        const n = firstOpen();
        if (n === null) {
          box.dataset.state = "done";
          maybeFinish();
          return;
        }
        progress.textContent = label("Progress", { n, total });
        button.textContent = n > 1 ? label("Resume") : label("Start");
        if (!check) {
          box.dataset.state = "ready";
          return;
        }
        // the conversation waits for a microphone that hears the candidate
        button.hidden = true;
        check.hidden = false;
        box.dataset.state = "mic-check";
        micButton.addEventListener("click", microphoneCheck);
      });
  }

  // ---------------------------------------------------------------- start
  function init() {
    const form = document.querySelector("form.item-form[data-session]");
    page = form
      ? { form, session: Number(form.dataset.session), position: Number(form.dataset.position) }
      : null;
    saveDraftNow = async () => {};
    document.querySelectorAll("[data-word-counter]").forEach(setupWordCounter);
    if (!page) {
      document.querySelectorAll("[data-recorder]").forEach((box) => {
        // a preview: keep the placeholder, nothing to record
        if (box.dataset.uploadUrl) setupRecorder(box);
      });
      return;
    }
    if (!window.indexedDB || !window.fetch || !window.crypto || !crypto.subtle) return;
    setupAnswerForm(form);
    form.querySelectorAll("textarea[data-draft-url]").forEach(setupDraft);
    form.querySelectorAll("[data-recorder]").forEach(setupRecorder);
    form.querySelectorAll("[data-conversation]").forEach(setupConversation);
  }

  // Recordings and drafts of other sessions (an earlier candidate on this kiosk) go: the server
  // would refuse them anyway, and they must not pile up on the kiosk.
  async function forgetOtherSessions() {
    for (const name of ["recordings", "drafts"]) {
      for (const entry of await idbAll(name)) {
        const drafts = name === "drafts";
        const session = drafts ? Number(entry.id.split(":")[0]) : entry.session;
        if (session !== page.session) await idbDelete(name, drafts ? entry.id : entry.upload_id);
      }
    }
  }

  let started = false;
  function start() {
    init();
    if (started || !page) return;
    started = true;
    forgetOtherSessions().catch(() => {});
    window.addEventListener("online", () => retryQueue());
    window.addEventListener("offline", () => {
      online = false;
    });
    // answers left in the queue by an earlier page (a reload, a lost connection): send them
    retryQueue((result) => {
      if (result.refused) location.assign(itemUrl(result.refused.entry.position));
      else if (result.sent) notice("sent");
      prefetch();
    });
  }

  start();
})();
