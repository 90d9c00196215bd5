// The countdown clock: ticks in the browser from the server's T-0 and clock (offset-corrected);
// frozen while the launch is on hold (data-frozen-seconds). Shows T-1d 02:03:04 / T+00:12:30.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(seconds) {
    var sign = seconds > 0 ? "-" : "+";
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    return "T" + sign + (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }
  function start(el) {
    var frozen = el.getAttribute("data-frozen-seconds");
    if (frozen !== null && frozen !== "") { el.textContent = fmt(parseFloat(frozen)); return; }
    var t0 = Date.parse(el.getAttribute("data-t0"));
    var skew = Date.parse(el.getAttribute("data-server-now")) - Date.now();
    function tick() { el.textContent = fmt((t0 - (Date.now() + skew)) / 1000); }
    tick();
    setInterval(tick, 1000);
  }
  function init() { document.querySelectorAll("[data-countdown]").forEach(start); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
