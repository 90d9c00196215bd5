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
// changed), so a tick by the backup or the coordinator shows without a reload. A poll never lands while
// you are typing a note, have one open, or a tick of yours is on its way.
(function () {
  "use strict";
  var list = document.querySelector("ol.rows[data-live]");
  if (!list) return;
  var etag = list.getAttribute("data-etag") || "";
  window.roleLive = { polls: 0, swaps: 0, unchanged: 0 };
  function busy() {
    var a = document.activeElement;
    if (a && list.contains(a) && (a.tagName === "TEXTAREA" || a.tagName === "INPUT")) return true;
    return !!list.querySelector("details[open], .htmx-request");
  }
  document.body.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.elt !== list) return;
    if (document.visibilityState !== "visible" || busy()) { evt.preventDefault(); return; }
    if (etag) evt.detail.headers["If-None-Match"] = etag;
    window.roleLive.polls += 1;
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.elt !== list) return;
    var xhr = evt.detail.xhr;
    if (xhr.status === 304) window.roleLive.unchanged += 1;
    if (xhr.status !== 200 || busy()) { evt.detail.shouldSwap = false; evt.detail.isError = false; return; }
    etag = xhr.getResponseHeader("ETag") || "";
    window.roleLive.swaps += 1;
  });
})();
