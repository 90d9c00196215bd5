// When htmx gets an error back for a row (403 refused, 404 gone, 5xx, or no network), say so in the
// row instead of failing silently; the row keeps its last known state.
(function () {
  "use strict";
  function say(evt, text) {
    if (evt.detail && evt.detail.elt && evt.detail.elt.hasAttribute("data-live-poll")) return;  // a poll: retried
    var target = evt.detail && evt.detail.target;
    if (!target || !target.querySelector) return;
    var box = target.querySelector(".row-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "error small row-error";
      box.setAttribute("role", "alert");
      (target.querySelector(".row-body") || target).appendChild(box);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    say(evt, status === 403 ? "Refused: you may not change this row." :
      "The change was not saved (error " + status + "). Reload the page.");
  });
  document.addEventListener("htmx:sendError", function (evt) {
    say(evt, "No connection: the change was not saved. Try again.");
  });
})();

// Keyboard users keep their place: a row replaced by its own tick (or note, start, finish) gets the focus back
// on the same control of the new row, instead of the page's top (the swapped-out button took the focus with it).
(function () {
  "use strict";
  var CONTROLS = "button, input:not([type=hidden]), textarea, select, a[href]";
  var pending = null;
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    var row = elt && elt.closest ? elt.closest("li.row[id]") : null;
    var active = document.activeElement;
    pending = null;
    if (!row || !active || !row.contains(active)) return;
    var inAct = !!active.closest(".row-act");
    pending = { id: row.id, act: inAct, index: Array.prototype.indexOf.call(row.querySelectorAll(CONTROLS), active) };
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = pending;
    if (!was) return;
    var row = document.getElementById(was.id);
    if (!row) return;
    pending = null;
    var now = document.activeElement;
    if (now && now !== document.body && !row.contains(now)) return;  // the person has moved on meanwhile
    var target = was.act ? row.querySelector(".row-act " + "button") : row.querySelectorAll(CONTROLS)[was.index];
    if (target && !target.disabled) target.focus();
  });
})();

// "Hide done and skipped": keeps a long role page to what is left; remembered per browser.
(function () {
  "use strict";
  var box = document.getElementById("hide-done");
  var list = document.querySelector("ol.rows");
  if (!box || !list) return;
  var key = "lc-hide-done";
  function apply() { list.classList.toggle("hide-done", box.checked); }
  try { box.checked = window.localStorage.getItem(key) === "1"; } catch (e) { /* private mode */ }
  apply();
  box.addEventListener("change", function () {
    try { window.localStorage.setItem(key, box.checked ? "1" : "0"); } catch (e) { /* private mode */ }
    apply();
  });
})();
