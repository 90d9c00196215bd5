// The public status page, progressively enhanced: without this script the page is complete (times in the
// plan's zone, a reload shows news). With it, times show in the viewer's zone and the live part is fetched
// every 30 s and swapped in when it changed (the server answers 304 from its cache when it did not).
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short",
  });
  function localTimes(root) {
    var nodes = root.querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var d = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(d.getTime())) nodes[i].textContent = fmt.format(d);
    }
  }
  function poll() {
    var live = document.getElementById("sp-live");
    if (!live || !window.fetch || document.hidden) return;
    fetch(live.getAttribute("data-live"), { cache: "no-cache", credentials: "omit" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var box = document.createElement("div");
        box.innerHTML = html;  // our own server's escaped rendering; no script in it runs
        var fresh = box.querySelector("#sp-live");
        if (fresh && fresh.innerHTML !== live.innerHTML) {
          localTimes(fresh);
          live.replaceWith(fresh);
        }
      })
      .catch(function () { /* offline: try again next time */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    setInterval(poll, 30000);
  });
})();
