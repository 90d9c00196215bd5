/* The timeline's labels on its lines (templates/plans/timeline.html), laid out so that none runs into another:
   - "now" and "window ends" stand at their lines, on one line each (the "now" stood one letter a line, squeezed
     into its 2px line), left of their line where they would run past the right edge;
   - each gate's "◆ name" stands on the first of three lines under the axis where it runs into nothing, shortened
     ("◆ Gate 0…") where only that fits, its whole name in its tooltip (title);
   - the gates with no room on any of the three (many gates close together) are gathered on a fourth line, each
     group at its first gate's line: "◆ 4 gates", their names one a line in its tooltip, so no gate loses its
     name (the fourth and later ones showed "◆" or nothing).
   The lane under the axis grows to hold the lines used, so that no label covers a step's bars.
   Laid out after ui.js has placed the lines ([data-left]), again on resize and after a live swap. */
(function () {
  "use strict";
  var LEVELS = 3, GAP = 6;
  function hits(a, b) {
    return a.left < b.right + GAP && b.left < a.right + GAP && a.top < b.bottom && b.top < a.bottom;
  }
  // Stand ``span`` on line ``level`` (its class), left of its line where it would run past ``right``; its box.
  function stand(span, level, right) {
    span.className = "lvl-" + level;
    var box = span.getBoundingClientRect();
    if (box.right > right) {
      span.classList.add("flip");
      box = span.getBoundingClientRect();
    }
    return box;
  }
  function free(box, placed) {
    return !placed.some(function (other) { return hits(box, other); });
  }
  function edge(span, right) {  // "now", "window ends": one line, at the right edge left of their line
    span.classList.remove("flip");
    if (span.getBoundingClientRect().right > right) span.classList.add("flip");
    return span.getBoundingClientRect();
  }
  function layout() {
    var track = document.querySelector(".tl-overlay");
    if (!track) return;
    var right = track.getBoundingClientRect().right;
    Array.prototype.forEach.call(track.querySelectorAll(".tl-gate > span.tl-gates"), function (s) { s.remove(); });
    var placed = Array.prototype.map.call(track.querySelectorAll(".tl-now > span, .tl-window > span"), function (s) {
      return edge(s, right);
    });
    var labels = Array.prototype.slice.call(track.querySelectorAll(".tl-gate > span"));
    labels.forEach(function (span) {
      if (!span.dataset.full) span.dataset.full = span.textContent;
      span.textContent = span.dataset.full;
      span.title = span.dataset.full.replace(/^◆\s*/, "");
      span.className = "";
      span.hidden = false;
    });
    labels.sort(function (a, b) { return a.parentNode.getBoundingClientRect().left - b.parentNode.getBoundingClientRect().left; });
    var group = null;
    labels.forEach(function (span) {
      var full = span.dataset.full;
      var texts = [full];
      if (full.length > 10) texts.push(full.slice(0, 8).trim() + "…");
      for (var t = 0; t < texts.length; t++) {
        span.textContent = texts[t];
        for (var level = 0; level < LEVELS; level++) {
          var box = stand(span, level, right);
          if (free(box, placed)) {
            placed.push(box);
            return;
          }
        }
      }
      span.hidden = true;  // no room on any line: its name goes to the group on the line below
      group = gather(group, span, placed, right);
    });
    fitLane(track, labels);
  }
  // The lane under the axis grows to the lowest line a gate label stands on, so the steps start below them.
  function fitLane(track, labels) {
    var lane = document.querySelector(".tl-gate-lane");
    if (!lane) return;
    var top = lane.getBoundingClientRect().top, bottom = top;
    track.querySelectorAll(".tl-gate > span").forEach(function (span) {
      if (!span.hidden) bottom = Math.max(bottom, span.getBoundingClientRect().bottom);
    });
    lane.style.minHeight = Math.ceil(bottom - top + 4) + "px";
  }
  // A gate with no room of its own starts a group at its line where that has room (named, or "◆ 1 gate"), or
  // joins the last group.
  function gather(group, span, placed, right) {
    var fresh = document.createElement("span");
    span.parentNode.appendChild(fresh);
    var names = [span.title];
    var box = show(fresh, names, right, true);
    if (!free(box, placed)) box = show(fresh, names, right, false);
    if (free(box, placed) || !group) {
      placed.push(box);
      return { span: fresh, names: names, box: box };
    }
    fresh.remove();
    group.names.push(span.title);
    placed.splice(placed.indexOf(group.box), 1);
    group.box = show(group.span, group.names, right, false);
    placed.push(group.box);
    return group;
  }
  // A group's text and tooltip: its one gate's name ("◆ Gate 04 readiness check", ``whole``), or how many it
  // holds ("◆ 1 gate", "◆ 4 gates"), their names one a line in its tooltip.
  function show(span, names, right, whole) {
    span.textContent = "◆ " + (whole ? names[0] : names.length + " gate" + (names.length === 1 ? "" : "s"));
    span.title = names.join("\n");
    var box = stand(span, LEVELS, right);
    span.classList.add("tl-gates");
    return box;
  }
  function later() { window.requestAnimationFrame(layout); }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later);
  else later();
})();
