// The "raise issue" control of every plan page (templates/issues/_raise_control.html), without inline
// script (the Content-Security-Policy refuses it):
//   a[data-raise-issue]        htmx loads the raise form into #raise-dialog-body; this opens the dialog;
//   the key i (or !)           clicks that link, unless focus is in a text field or a dialog is open;
//   [data-close-dialog]        closes the dialog (Esc does too, natively).
// Without JavaScript the link is a plain link to the raise form's page.
(function () {
  "use strict";
  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  function dialog() { return document.getElementById("raise-dialog"); }
  function open() {
    var d = dialog();
    if (!d) return;
    if (!d.open) d.showModal();
    var first = d.querySelector("[autofocus], input:not([type=hidden]), select, textarea, a.btn");
    if (first) first.focus();
  }
  function init() {
    document.addEventListener("keydown", function (evt) {
      if (evt.ctrlKey || evt.metaKey || evt.altKey || evt.defaultPrevented || evt.isComposing) return;
      if (evt.key !== "i" && evt.key !== "!") return;
      if (typing(document.activeElement) || document.querySelector("dialog[open]")) return;
      var link = document.querySelector("a[data-raise-issue]");
      if (!link) return;
      evt.preventDefault();
      link.click();
    });
    document.addEventListener("htmx:afterSwap", function (evt) {
      if (evt.target && evt.target.id === "raise-dialog-body") open();
    });
    document.addEventListener("click", function (evt) {
      var el = evt.target instanceof Element ? evt.target.closest("[data-close-dialog]") : null;
      if (!el) return;
      var d = el.closest("dialog");
      if (d) d.close();
    });
    var d = dialog();
    if (d) {
      d.addEventListener("close", function () {
        var body = document.getElementById("raise-dialog-body");
        if (body) body.textContent = "";  // the next i loads a fresh form
        var link = document.querySelector("a[data-raise-issue]");
        if (link) link.focus();
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
