// The public status page, progressively enhanced: without this script the page is complete (times in the
// plan's zone, the launch time instead of a countdown, a reload shows news). With it:
// - times show in the viewer's own zone;
// - the countdown ticks on the server's clock: the page is served from a cache (it cannot carry "now"),
//   so the skew is measured from the Date header of the live part's answer (LaunchClock.ServerClock);
// - the live part is fetched when the push channel says the plan changed (static/js/live.js: the page's
//   one stream, for anyone, no session) and every 30 s while the stream is not working (polling as its
//   fallback); it is swapped in when it changed (a 304 from the cache when not). A pushed fetch is made
//   again 1.5 s later: another server process may have served its copy of the old part for up to a second
//   (statuspage.cache.LOCAL_SECONDS), and the second fetch costs a 304 from the cache.
//   What decides "changed" is the markup the server sent, before this script filled in the times and the
//   countdown: compared with the page as shown, the ticking countdown made every fetch swap the part in
//   again, and a click that landed during the swap (on an incident's link) was lost.
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short",
  });
  var clock = null;
  var served = null;  // the live part's markup as the server last sent it
  function localTimes(root) {
    var nodes = root.querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var d = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(d.getTime())) nodes[i].textContent = fmt.format(d);
    }
  }
  function tick() {
    var el = document.querySelector("[data-sp-countdown]");
    if (!el || !window.LaunchClock) return;
    if (!clock) clock = new window.LaunchClock.ServerClock(0);
    var t0 = Number(el.dataset.t0), holdSince = Number(el.dataset.holdSince || 0), now = clock.now();
    // T-0 passed and not launched yet (the launch is declared by hand): "T+00:05:00" read as launched
    var text = !holdSince && now >= t0 ? "Starting shortly" : window.LaunchClock.countdown(t0, now, holdSince);
    if (el.textContent !== text) el.textContent = text;
  }
  function poll() {
    var live = document.getElementById("sp-live");
    if (!live || !window.fetch) return;
    var sent = Date.now();
    fetch(live.getAttribute("data-live"), { cache: "no-cache", credentials: "omit" })
      .then(function (r) {
        var received = Date.now(), date = Date.parse(r.headers.get("Date") || "");
        if (!isNaN(date) && window.LaunchClock) {
          if (!clock) clock = new window.LaunchClock.ServerClock(0);
          clock.sync(date + 500, sent, received);  // Date has whole seconds: the middle of that second
        }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var box = document.createElement("div");
        box.innerHTML = html;  // our own server's escaped rendering; no script in it runs
        var fresh = box.querySelector("#sp-live");
        if (!fresh || fresh.innerHTML === served) return;
        served = fresh.innerHTML;
        localTimes(fresh);
        live.replaceWith(fresh);
        tick();
      })
      .catch(function () { /* offline: try again next time */ });
  }
  var again = null;
  document.addEventListener("wr:poll", function (evt) {
    if (!evt.target || evt.target.id !== "sp-live") return;
    poll();
    if (again) clearTimeout(again);
    again = setTimeout(function () { again = null; poll(); }, 1500);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var live = document.getElementById("sp-live");
    if (live) served = live.innerHTML;
    localTimes(document);
    tick();
    setInterval(tick, 250);
    poll();
  });
})();
