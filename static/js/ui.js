// Small page behaviours that would otherwise be inline attributes, which the Content-Security-Policy
// refuses (no inline script, no style="..."):
//   [data-left] / [data-width]  position in percent (the timeline's bars), set through the CSSOM;
//   select[data-autosubmit]     submits its form on change (the timeline's role filter);
//   select[data-navigate]       goes to the chosen option's URL (the role page's role switch);
//   input[data-select-all]      selects its whole text when clicked (kiosk links).
(function () {
  "use strict";
  function place(root) {
    (root || document).querySelectorAll("[data-left], [data-width]").forEach(function (el) {
      var left = el.getAttribute("data-left"), width = el.getAttribute("data-width");
      if (left !== null && left !== "") el.style.left = Number(left) + "%";
      if (width !== null && width !== "") el.style.width = Number(width) + "%";
    });
  }
  function init() {
    place(document);
    document.addEventListener("change", function (evt) {
      var el = evt.target;
      if (!(el instanceof HTMLSelectElement)) return;
      if (el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
      if (el.hasAttribute("data-navigate") && el.value) {
        var url = new URL(el.value, window.location.href);
        if (url.origin === window.location.origin) window.location.assign(url.href);
      }
    });
    document.addEventListener("click", function (evt) {
      var el = evt.target;
      if (el instanceof HTMLInputElement && el.hasAttribute("data-select-all")) el.select();
    });
    // an outerHTML swap settles on the detached element: place what is in the page
    document.addEventListener("htmx:afterSettle", function (evt) { place(evt.target && evt.target.isConnected ? evt.target : document); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
