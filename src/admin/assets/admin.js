// Queue auto-refresh: re-fetches the rows every 10 s; a P0 that was not there before makes the
// banner pulse and the tab title blink until the window gets focus.
(function () {

  var live = document.getElementById("queue-live");
  if (!live) return;
  var src = live.getAttribute("data-src");
  function p0Set() {
    var el = live.querySelector(".live");
    var raw = el ? el.getAttribute("data-p0") || "" : "";
    return raw.split(" ").filter(Boolean);
  }
  var known = p0Set();
  var baseTitle = document.title;
  var blink = null;
  function alertNew(numbers) {
    var banner = live.querySelector(".banner-p0");
    if (banner) banner.classList.add("fresh");
    if (blink) return;
    var on = false;
    blink = setInterval(function () {
      on = !on;
      document.title = on ? `\u26A0 P0 ${numbers.join(", ")}` : baseTitle;
    }, 1000);
  }
  window.addEventListener("focus", function () {
    if (blink) { clearInterval(blink); blink = null; document.title = baseTitle; }
  });
  function refresh() {
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (res) {
        if (res.redirected || !res.ok) { if (res.redirected) location.reload(); return null; }
        return res.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        live.innerHTML = html;
        var now = p0Set();
        var fresh = now.filter(function (n) { return known.indexOf(n) === -1; });
        if (fresh.length > 0) alertNew(fresh);
        known = now;
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }
  setInterval(refresh, 10000);
})();

// Routing file upload: read the chosen file into the textarea (no multipart needed).
(function () {
  var input = document.getElementById("routing-file-input");
  var area = document.getElementById("routing-file-json");
  if (!input || !area) return;
  input.addEventListener("change", function () {
    var f = input.files?.[0];
    if (!f) return;
    f.text().then(function (t) { area.value = t; });
  });
})();

// Request page: the transcript refreshes itself every 5 s.
(function () {

  var live = document.getElementById("transcript-live");
  if (!live) return;
  var src = live.getAttribute("data-src");
  setInterval(function () {
    fetch(src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (res) { return res.ok && !res.redirected ? res.text() : null; })
      .then(function (html) { if (html) live.innerHTML = html; })
      .catch(function () { /* try again next tick */ });
  }, 5000);
})();
