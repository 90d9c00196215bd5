// When htmx gets an error back for a row (403 refused, 404 gone, 5xx, or no network), say so in the
// row instead of failing silently; the row keeps its last known state.
(function () {
  "use strict";
  function say(evt, text) {
    if (evt.detail && evt.detail.elt && evt.detail.elt.hasAttribute("data-live")) return;  // a poll: retried
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

// The rows stay live: the list polls its fragment every few seconds (If-None-Match: 304 while nothing
// changed), or fetches it when the stream says the plan changed, so a tick by the backup or the coordinator
// shows without a reload. A fetch never lands while you are typing a note, have one open, or a tick of yours
// is on its way: it is held back, and made once the rows are free again (a change pushed meanwhile is not
// lost). A fetch that left before a tick of yours is thrown away when it comes back (it would undo your tick
// on the screen) and made again.
(function () {
  "use strict";
  var list = document.querySelector("ol.rows[data-live]");
  if (!list) return;
  var etag = list.getAttribute("data-etag") || "";
  var writes = 0;  // requests of the rows' own forms (a tick, a note, a step) begun on this page
  var missed = false;  // a fetch held back or thrown away: made again once the rows are free
  window.roleLive = { polls: 0, swaps: 0, unchanged: 0, missed: 0 };
  function busy() {
    var a = document.activeElement;
    if (a && list.contains(a) && (a.tagName === "TEXTAREA" || a.tagName === "INPUT")) return true;
    return !!list.querySelector("details[open], .htmx-request");
  }
  function miss() { missed = true; window.roleLive.missed += 1; }
  function again() {
    setTimeout(function () {  // after htmx has taken its request class off
      if (!missed || busy() || document.visibilityState !== "visible") return;
      missed = false;
      if (window.htmx) htmx.trigger(list, "wr:poll");
    }, 50);
  }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt === list) evt.detail.xhr.lcWrites = writes;
    else if (elt && list.contains(elt)) writes += 1;
  });
  document.body.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.elt !== list) return;
    if (document.visibilityState !== "visible" || busy()) { miss(); evt.preventDefault(); return; }
    if (etag) evt.detail.headers["If-None-Match"] = etag;
    window.roleLive.polls += 1;
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.elt !== list) return;
    var xhr = evt.detail.xhr;
    if (xhr.status === 304) window.roleLive.unchanged += 1;
    // Rendered before a change of yours began: it would undo that change on the screen.
    var stale = xhr.status === 200 && xhr.lcWrites !== undefined && xhr.lcWrites !== writes;
    if (xhr.status !== 200 || stale || busy()) {
      if (xhr.status === 200) miss();
      evt.detail.shouldSwap = false;
      evt.detail.isError = false;
      return;
    }
    etag = xhr.getResponseHeader("ETag") || "";
    window.roleLive.swaps += 1;
  });
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.elt === list || list.contains(evt.detail.elt)) again();
  });
  document.addEventListener("focusout", again);
  document.addEventListener("toggle", again, true);  // a note's <details> closed (toggle does not bubble)
  document.addEventListener("visibilitychange", again);
})();
