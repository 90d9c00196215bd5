/* The timeline's gate labels (templates/plans/timeline.html): each "◆ name" stands at its gate's line, on the
   first of three lines under the axis where it runs into no other label; one that fits on none is shortened
   ("◆ Gate 0…", then "◆"), and failing that shows no text. Its whole name is always in its tooltip (title).
   Laid out after ui.js has placed the lines ([data-left]), again on resize and after a live swap. */
(function () {
  "use strict";
  var LEVELS = 3, GAP = 6;
  function layout() {
    var track = document.querySelector(".tl-overlay");
    if (!track) return;
    var right = track.getBoundingClientRect().right;
    var labels = Array.prototype.slice.call(track.querySelectorAll(".tl-gate > span"));
    labels.forEach(function (span) {
      if (!span.dataset.full) span.dataset.full = span.textContent;
      span.textContent = span.dataset.full;
      span.title = span.dataset.full.replace(/^◆\s*/, "");
      span.className = "";
      span.hidden = false;
    });
    labels.sort(function (a, b) { return a.parentNode.getBoundingClientRect().left - b.parentNode.getBoundingClientRect().left; });
    var ends = [];
    for (var l = 0; l < LEVELS; l++) ends.push(-Infinity);
    labels.forEach(function (span) {
      var full = span.dataset.full;
      var texts = [full];
      if (full.length > 10) texts.push(full.slice(0, 8).trim() + "…");
      texts.push("◆");
      for (var t = 0; t < texts.length; t++) {
        span.textContent = texts[t];
        for (var level = 0; level < LEVELS; level++) {
          span.className = "lvl-" + level;
          var box = span.getBoundingClientRect();
          var flip = box.right > right;  // at the right edge: the label stands left of its line
          span.classList.toggle("flip", flip);
          if (flip) box = span.getBoundingClientRect();
          if (box.left >= ends[level] + GAP) {
            ends[level] = box.right;
            return;
          }
        }
      }
      span.hidden = true;  // no room even for "◆" on any line: its dashed line still marks it
    });
  }
  function later() { window.requestAnimationFrame(layout); }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
