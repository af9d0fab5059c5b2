// The queue, live: a Server-Sent Events stream says when the queue changed and the rows are
// re-fetched (polling every 10 s when the stream is unavailable). A P0 that was not there before
// pulses the banner, blinks the tab title, plays a short sound and — if the operator turned it on —
// shows a desktop notification. Keys: j/k move, Enter opens, t takes the selected request.
(function () {
  const live = document.getElementById("queue-live");
  if (!live) return;
  const src = live.getAttribute("data-src");
  function p0Set() {
    const el = live.querySelector(".live");
    const raw = el ? el.getAttribute("data-p0") || "" : "";
    return raw.split(" ").filter(Boolean);
  }
  let known = p0Set();
  const baseTitle = document.title;
  let blink = null;

  const notifyBtn = document.getElementById("p0-notify");
  const notifyState = document.getElementById("p0-notify-state");
  const canNotify = typeof window.Notification === "function";
  function showNotifyState() {
    if (!notifyBtn) return;
    const wanted = localStorage.getItem("opora.p0notify") === "1";
    const perm = canNotify ? Notification.permission : "denied";
    notifyBtn.hidden = wanted && perm === "granted";
    if (notifyState) {
      notifyState.textContent = wanted && perm === "granted" ? notifyBtn.getAttribute("data-on") : wanted && perm === "denied" ? notifyBtn.getAttribute("data-denied") : "";
    }
  }
  if (notifyBtn) {
    notifyBtn.addEventListener("click", function () {
      localStorage.setItem("opora.p0notify", "1");
      beep(); // a click lets the page play sound later
      if (!canNotify) { showNotifyState(); return; }
      Promise.resolve(Notification.requestPermission()).then(showNotifyState, showNotifyState);
    });
    showNotifyState();
  }

  let audio = null;
  function beep() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      if (audio.state === "suspended") audio.resume();
      [0, 0.35].forEach(function (at) {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = 880;
        g.gain.setValueAtTime(0.0001, audio.currentTime + at);
        g.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + at + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 0.25);
        o.connect(g).connect(audio.destination);
        o.start(audio.currentTime + at);
        o.stop(audio.currentTime + at + 0.3);
      });
    } catch { /* no sound on this device */ }
  }

  function alertNew(numbers) {
    const banner = live.querySelector(".banner-p0");
    if (banner) banner.classList.add("fresh");
    beep();
    if (notifyBtn && canNotify && localStorage.getItem("opora.p0notify") === "1" && Notification.permission === "granted") {
      try {
        const n = new Notification(`${notifyBtn.getAttribute("data-title")}: ${numbers.join(", ")}`, {
          body: notifyBtn.getAttribute("data-body"),
          tag: `opora-p0-${numbers.join("-")}`,
          requireInteraction: true,
        });
        n.onclick = function () { window.focus(); location.href = `/requests/${encodeURIComponent(numbers[0])}`; };
      } catch { /* notifications unavailable in this context */ }
    }
    if (blink) return;
    let on = false;
    blink = setInterval(function () {
      on = !on;
      document.title = on ? `\u26A0 P0 ${numbers.join(", ")}` : baseTitle;
    }, 1000);
  }
  window.addEventListener("focus", function () {
    if (blink) { clearInterval(blink); blink = null; document.title = baseTitle; }
  });

  let selected = null;
  function rows() { return Array.prototype.slice.call(live.querySelectorAll("table.queue tbody tr")); }
  function select(tr) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    selected = tr ? tr.getAttribute("data-number") : null;
    if (!tr) return;
    tr.classList.add("selected");
    tr.setAttribute("aria-selected", "true");
    const a = tr.querySelector("a");
    if (a) a.focus({ preventScroll: false });
  }

  function refresh() {
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (res) {
        if (res.redirected || !res.ok) { if (res.redirected) location.reload(); return null; }
        return res.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        const keep = selected;
        const focused = live.contains(document.activeElement);
        live.innerHTML = html;
        if (keep) {
          const tr = live.querySelector(`tr[data-number="${CSS.escape(keep)}"]`);
          if (tr) { tr.classList.add("selected"); if (focused) { const a = tr.querySelector("a"); if (a) a.focus(); } }
        }
        const now = p0Set();
        const fresh = now.filter(function (n) { return known.indexOf(n) === -1; });
        if (fresh.length > 0) alertNew(fresh);
        known = now;
        document.dispatchEvent(new CustomEvent("opora:queue-updated"));
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }

  let poll = null;
  function startPolling() {
    live.setAttribute("data-live", "poll");
    if (!poll) poll = setInterval(refresh, 10000);
  }
  const events = live.getAttribute("data-events");
  if (events && typeof window.EventSource === "function") {
    const es = new EventSource(events);
    let failures = 0;
    es.addEventListener("ready", function () { failures = 0; live.setAttribute("data-live", "stream"); if (poll) { clearInterval(poll); poll = null; } refresh(); });
    es.addEventListener("changed", function () { refresh(); });
    es.onerror = function () {
      failures += 1;
      startPolling();
      if (failures >= 5) es.close(); // the stream keeps failing: polling alone from now on
    };
  } else {
    startPolling();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    const list = rows();
    if (list.length === 0) return;
    const i = list.findIndex(function (r) { return r.getAttribute("data-number") === selected; });
    if (e.key === "j") { e.preventDefault(); select(list[Math.min(i + 1, list.length - 1)]); }
    else if (e.key === "k") { e.preventDefault(); select(list[Math.max(i - 1, 0)]); }
    else if (e.key === "Enter" && i >= 0 && !(t && t.tagName === "A")) { e.preventDefault(); location.href = `/requests/${encodeURIComponent(selected)}`; }
    else if (e.key === "t" && i >= 0) {
      const form = document.getElementById("queue-take");
      if (!form || list[i].getAttribute("data-takeable") !== "1") return;
      e.preventDefault();
      form.setAttribute("action", `/requests/${encodeURIComponent(selected)}/take`);
      form.submit();
    }
  });
})();

// Routing file upload: read the chosen file into the textarea (no multipart needed).
(function () {
  const input = document.getElementById("routing-file-input");
  const area = document.getElementById("routing-file-json");
  if (!input || !area) return;
  input.addEventListener("change", function () {
    const f = input.files?.[0];
    if (!f) return;
    f.text().then(function (t) { area.value = t; });
  });
})();

// Request page: the transcript refreshes itself every 5 s.
(function () {

  const live = document.getElementById("transcript-live");
  if (!live) return;
  const src = live.getAttribute("data-src");
  setInterval(function () {
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (res) { return res.ok && !res.redirected ? res.text() : null; })
      .then(function (html) { if (html) live.innerHTML = html; })
      .catch(function () { /* try again next tick */ });
  }, 5000);
})();

// A table that scrolls inside its own box (narrow screens) must be reachable by keyboard.
(function () {
  function markScrollable() {
    document.querySelectorAll("table").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1) {
        if (!t.hasAttribute("tabindex")) t.setAttribute("tabindex", "0");
      } else if (t.getAttribute("tabindex") === "0") {
        t.removeAttribute("tabindex");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);
  document.addEventListener("opora:queue-updated", markScrollable);
})();

// Request page: a canned reply chosen in the list goes into the message box, ready to edit.
(function () {
  const pick = document.getElementById("canned-reply");
  if (!pick) return;
  const box = document.getElementById(pick.getAttribute("data-target"));
  if (!box) return;
  pick.addEventListener("change", function () {
    if (!pick.value) return;
    box.value = pick.value;
    box.focus();
  });
})();
