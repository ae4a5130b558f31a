// Proctor console: poll the centre's live sessions (small JSON) and redraw the rows without a
// reload. No inline scripts (CSP); names are set as text, never as HTML.
(function () {
  "use strict";
  const table = document.getElementById("console");
  if (!table) return;
  const body = document.getElementById("console-rows");
  const stale = document.getElementById("console-stale");
  const d = table.dataset;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "";
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }
  function actionForm(url, label) {
    const form = el("form", { method: "post", action: url, class: "inline" });
    form.append(el("input", { type: "hidden", name: "csrf_token", value: d.csrf }));
    form.append(el("button", { type: "submit", class: "secondary" }, label));
    return form;
  }

  function row(s) {
    const tr = el("tr", { "data-session": s.id });
    const who = el("td");
    const link = el("a", { href: s.url });
    link.append(el("bdi", {}, s.candidate));
    who.append(link);
    tr.append(who, el("td", {}, s.purpose));
    tr.append(el("td", {}, s.section + (s.paused ? " · " + d.labelPaused : "")));
    tr.append(el("td", { class: "time-left" }, clock(s.remaining_seconds)));
    const ago =
      s.last_heartbeat_seconds === null ? "" : " · " + d.labelAgo.replace("{n}", s.last_heartbeat_seconds);
    tr.append(el("td", { class: "conn-" + s.connection }, s.connection_label + ago));
    const calls = el("td");
    s.calls.forEach((c) => calls.append(el("span", { class: "call" }, c), " "));
    if (s.focus_losses) calls.append(d.labelFocus.replace("{n}", s.focus_losses));
    tr.append(calls);
    const actions = el("td");
    if (s.status === "in_progress") {
      actions.append(
        s.paused ? actionForm(s.resume_url, d.labelResume) : actionForm(s.pause_url, d.labelPause),
        " ",
      );
    }
    actions.append(el("a", { href: s.url + "#controls" }, d.labelManage));
    tr.append(actions);
    return tr;
  }

  async function poll() {
    try {
      const response = await fetch(d.pollUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      const rows = data.sessions.map(row);
      if (!rows.length) {
        const empty = el("tr", { class: "empty" });
        empty.append(el("td", { colspan: "7" }, d.labelEmpty));
        rows.push(empty);
      }
      body.replaceChildren(...rows);
      stale.hidden = true;
    } catch (err) {
      stale.textContent = d.labelStale;
      stale.hidden = false;
    }
  }
  setInterval(poll, 5000);
})();
