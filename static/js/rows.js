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
// on the same control of the new row, instead of the page's top. The focus is lost twice over: the pressed
// button is disabled while its request is on its way (hx-disabled-elt: the browser moves the focus to <body>),
// and the row is swapped out, and then the live parts' own fetches that the tick sets off (the readiness
// section, the rows' list) begin meanwhile and replace the row again. So the place is remembered when a row's
// request begins and whenever a swap is about to replace the focused control, and kept through unrelated
// requests until the row's new control has the focus (or the person has gone elsewhere).
(function () {
  "use strict";
  var CONTROLS = "button, input:not([type=hidden]), textarea, select, a[href], summary";
  var KEEP_MS = 15000;
  var pending = null;
  function place(active) {
    var row = active && active.closest ? active.closest("li.row[id]") : null;
    if (!row) return null;
    return {
      id: row.id, act: !!active.closest(".row-act"), self: active === row, at: Date.now(),
      index: Array.prototype.indexOf.call(row.querySelectorAll(CONTROLS), active)
    };
  }
  function lost() { var a = document.activeElement; return !a || a === document.body; }
  function restore() {
    var was = pending;
    if (!was) return;
    if (Date.now() - was.at > KEEP_MS) { pending = null; return; }
    var row = document.getElementById(was.id);
    if (!row) return;  // not swapped in yet
    if (!lost()) { pending = null; return; }  // the focus is somewhere: kept by the swap, or the person moved on
    var target = was.act ? row.querySelector(".row-act button") : row.querySelectorAll(CONTROLS)[was.index];
    if (!target && (was.act || was.self)) {  // a finished step has no button left: the row itself keeps the place
      row.setAttribute("tabindex", "-1");
      target = row;
    }
    if (!target || target.disabled) return;  // the request is still on its way
    target.focus();
    pending = null;
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    var row = elt && elt.closest ? elt.closest("li.row[id]") : null;
    if (!row) return;  // a live part's fetch, or a form elsewhere: the remembered place stays
    var active = document.activeElement;
    pending = active && row.contains(active) ? place(active) : null;
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    var active = document.activeElement;
    if (!lost() && target && target.contains && target.contains(active)) pending = place(active) || pending;
  });
  document.addEventListener("htmx:afterSettle", restore);
  document.addEventListener("htmx:afterRequest", function () { setTimeout(restore, 0); });  // refused: no swap
  document.addEventListener("mousedown", function () { pending = null; }, true);
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
