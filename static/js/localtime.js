// Shows each <time data-local datetime="ISO"> in the viewer's own time zone. Runs on load and after
// every htmx swap; rows already converted are skipped.
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  function fill(root) {
    var nodes = (root || document).querySelectorAll("time[data-local]:not([data-filled])");
    for (var i = 0; i < nodes.length; i++) {
      var d = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        nodes[i].textContent = fmt.format(d);
        nodes[i].setAttribute("data-filled", "");
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fill(document); });
  } else {
    fill(document);
  }
  document.addEventListener("htmx:afterSettle", function () { fill(document); });
})();
