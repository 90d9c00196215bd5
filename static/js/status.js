// The public status page's countdown: ticks in the browser from T-0 (data-t0); frozen while the launch is
// on hold (data-frozen, seconds to T-0 when the hold began).
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) return;
  var t0 = Date.parse(el.dataset.t0), frozen = el.dataset.frozen;
  function fmt(s) {
    var sign = s >= 0 ? "T-" : "T+"; s = Math.abs(Math.floor(s));
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return sign + (d ? d + "d " : "") + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(x).padStart(2, "0");
  }
  if (frozen) { el.textContent = "On hold at " + fmt(Number(frozen)); return; }
  function tick() { el.textContent = fmt((t0 - Date.now()) / 1000); }
  tick(); setInterval(tick, 1000);
})();
