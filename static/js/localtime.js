// Shows each <time data-local datetime="ISO"> in the viewer's own time zone. Runs on load and after
// every htmx swap; rows already converted are skipped. A "you: ..." line (.t-local[data-plan-tz]) comes
// out of hiding only when the viewer's wall clock differs from the plan's at that moment: someone in the
// plan's own zone is not shown the same time twice.
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  var wallOptions = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  var local = new Intl.DateTimeFormat("en-GB", wallOptions);
  var planFormats = {};
  function wall(d, tz) {
    try {
      if (!planFormats[tz]) planFormats[tz] = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: tz }, wallOptions));
      return planFormats[tz].format(d);
    } catch (e) { return ""; }  // an unknown zone: show the line
  }
  function fill(root) {
    var nodes = (root || document).querySelectorAll("time[data-local]:not([data-filled])");
    for (var i = 0; i < nodes.length; i++) {
      var d = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        nodes[i].textContent = fmt.format(d);
        nodes[i].setAttribute("data-filled", "");
        var line = nodes[i].closest(".t-local[data-plan-tz]");
        if (line) line.hidden = wall(d, line.getAttribute("data-plan-tz")) === local.format(d);
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
