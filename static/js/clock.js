/* The launch clock in the browser: the same rules as plans/clock.py (read its docstring), tested against
   the same table (tests/clock_cases.json). Exposes window.LaunchClock:

     formatCountdown(secondsSinceT0)       "T-1d 02:03:04" / "T+00:12:30"; floor once, T-0 reads T+00:00:00
     countdown(t0Ms, nowMs, holdSinceMs)   the clock at nowMs, frozen at holdSinceMs while on hold
     formatTimer(seconds)                  an elapsed time, "07:05" / "1:02:03"
     formatDeadline(secondsLeft)           "04:59" until the deadline, "+00:00" from it on
     ServerClock(serverNowMs)              the server's time: .now() is Date.now() corrected by the skew
                                           measured from serverNowMs; .sync(serverMs, sentAt, receivedAt)
                                           re-measures it from a response (half the round trip allowed)

   Elements with data-countdown tick by themselves once a second: data-t0 and data-server-now (epoch
   milliseconds, the server's clock when it rendered the page), data-hold-since when a hold is open.
   Elements with data-deadline-left (epoch ms) and data-server-now count down to it: "27:13 left", then,
   at the deadline, "breached +00:05" (the issues page's response SLA): the element gets the class
   "over" and its row ([data-sla-row]) "sla-breached", on the page's clock, with no request. A response
   SLA is wall-clock time (a hold does not stop it), as on the board. Elements with data-shown-from (epoch
   ms) and data-server-now are hidden until that moment and shown from it on ("T-0 has passed: not launched
   yet" on the plan page), on the page's clock. Elements swapped in by htmx (a live
   part fetched again) start too. window.LaunchClock.offsetMs shifts every clock of the page (tests). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(total) {
    var h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
    return pad(h) + ":" + pad(m) + ":" + pad(s);
  }

  function formatCountdown(secondsSinceT0) {
    var n = Math.floor(secondsSinceT0);
    var sign = n < 0 ? "-" : "+";
    var total = Math.abs(n);
    var days = Math.floor(total / 86400);
    return "T" + sign + (days ? days + "d " : "") + hms(total - days * 86400);
  }

  function countdown(t0Ms, nowMs, holdSinceMs) {
    return formatCountdown(((holdSinceMs || nowMs) - t0Ms) / 1000);
  }

  function formatTimer(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
    return h ? h + ":" + pad(m) + ":" + pad(s) : pad(m) + ":" + pad(s);
  }

  function formatDeadline(secondsLeft) {
    var n = Math.floor(-secondsLeft);  // whole seconds past the deadline, as for T-0
    return n < 0 ? formatTimer(-n) : "+" + formatTimer(n);
  }

  function ServerClock(serverNowMs) {
    this.skew = 0;
    if (serverNowMs) this.skew = Number(serverNowMs) - Date.now();
  }
  ServerClock.prototype.now = function () { return Date.now() + this.skew; };
  ServerClock.prototype.sync = function (serverMs, sentAtMs, receivedAtMs) {
    if (serverMs) this.skew = Number(serverMs) - (sentAtMs + receivedAtMs) / 2;
  };

  function start(el) {
    var t0 = Number(el.dataset.t0);
    var holdSince = Number(el.dataset.holdSince || 0);
    var clock = new ServerClock(el.dataset.serverNow);
    function tick() {
      var text = countdown(t0, clock.now(), holdSince);
      if (el.textContent !== text) el.textContent = text;
    }
    tick();
    if (!holdSince) setInterval(tick, 250);  // a quarter second: the reading changes on the whole second
  }

  // Elements timed on the page's clock (an SLA's deadline, a moment from which something shows): each has its
  // own ServerClock (from its data-server-now) and its tick; one timer ticks them all, and forgets those swapped out.
  var timed = [];
  function startTimed(el, tick) {
    if (el._lcClock) return;
    el._lcClock = new ServerClock(el.dataset.serverNow);
    el._lcTick = tick;
    timed.push(el);
    tick(el);
  }
  function pageNow(el) { return el._lcClock.now() + (window.LaunchClock.offsetMs || 0); }
  function tickDeadline(el) {
    var left = (Number(el.dataset.deadlineLeft) - pageNow(el)) / 1000;
    var over = left <= 0;  // as the server's "breached": at the deadline it is over
    var text = over ? "breached " + formatDeadline(left) : formatDeadline(left) + " left";
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("over", over);
    var row = el.closest("[data-sla-row]");
    if (row) row.classList.toggle("sla-breached", over);
  }
  function tickShownFrom(el) {
    var shown = pageNow(el) >= Number(el.dataset.shownFrom);
    if (el.hidden === shown) el.hidden = !shown;
  }
  function tickTimed() {
    timed = timed.filter(function (el) { return el.isConnected; });  // swapped out: forgotten
    timed.forEach(function (el) { el._lcTick(el); });
  }

  window.LaunchClock = {
    formatCountdown: formatCountdown,
    countdown: countdown,
    formatTimer: formatTimer,
    formatDeadline: formatDeadline,
    ServerClock: ServerClock,
    offsetMs: 0
  };

  function init(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (!el._lcCountdown) { el._lcCountdown = true; start(el); }
    });
    root.querySelectorAll("[data-deadline-left]").forEach(function (el) { startTimed(el, tickDeadline); });
    root.querySelectorAll("[data-shown-from]").forEach(function (el) { startTimed(el, tickShownFrom); });
  }
  function boot() {
    init(document);
    setInterval(tickTimed, 250);  // one timer for every SLA and threshold of the page
    document.addEventListener("htmx:load", function (evt) {
      var elt = evt.detail && evt.detail.elt;
      if (elt && elt.querySelectorAll) init(elt.parentNode || elt);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); } else { boot(); }
})();
