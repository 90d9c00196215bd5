// Small page behaviours that would otherwise be inline attributes, which the Content-Security-Policy
// refuses (no inline script, no style="..."):
//   [data-left] / [data-width]  position in percent (the timeline's bars), set through the CSSOM;
//   select[data-autosubmit]     submits its form on change (the timeline's role filter);
//   select[data-navigate]       sends its (GET) form, to the chosen role's page (the role page's role switch):
//                               on a pick with the mouse or a touch at once, from the keyboard on Enter only (the
//                               arrows move through the list without leaving the page; its "Open" button goes too);
//   input[data-select-all]      selects its whole text when clicked (kiosk links);
//   #lc-kept                    what was typed into a form the server refused (launchcontrol.kept): put back
//                               into the form posted to the same address, its fold opened, its field focused;
//   form[method=post]           sent once: a second submit while the first is on its way (a double click on
//                               Raise) is dropped; htmx forms are htmx's (hx-sync), a page shown again from the
//                               back-forward cache may send again.
(function () {
  "use strict";
  function place(root) {
    (root || document).querySelectorAll("[data-left], [data-width]").forEach(function (el) {
      var left = el.getAttribute("data-left"), width = el.getAttribute("data-width");
      if (left !== null && left !== "") el.style.left = Number(left) + "%";
      if (width !== null && width !== "") el.style.width = Number(width) + "%";
    });
  }
  var TYPED = "input:not([type=hidden]):not([type=password]):not([type=submit]):not([type=button]):not([type=file]), textarea, select";
  function putBack() {
    var data = document.getElementById("lc-kept");
    if (!data) return;
    var kept;
    try { kept = JSON.parse(data.textContent); } catch (e) { return; }
    if (!kept || !kept.fields) return;
    var first = null;
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
      var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
      if (action.pathname !== kept.action) return;
      form.querySelectorAll(TYPED).forEach(function (el) {
        var values = kept.fields[el.name];
        if (!el.name || !values) return;
        if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) !== -1; return; }
        if (el instanceof HTMLSelectElement) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
          return;
        }
        if (!values[0]) return;
        el.value = values[0];
        el.setAttribute("data-keep", "");
        if (!first) first = el;
      });
    });
    if (!first) return;
    for (var d = first.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    first.focus();
  }
  var SENDING_MS = 5000;  // after this a form may be sent again (a download leaves the page where it was)
  function onceOnly(evt) {
    var form = evt.target;
    if (evt.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.hasAttribute("hx-post") && window.htmx) return;
    var sent = Number(form.getAttribute("data-sent-at") || 0);
    if (sent && Date.now() - sent < SENDING_MS) { evt.preventDefault(); return; }
    form.setAttribute("data-sent-at", String(Date.now()));
  }
  function go(select) {  // to the chosen option, not again to the page shown
    var chosen = select.options[select.selectedIndex];
    if (select.form && chosen && !chosen.defaultSelected) select.form.submit();
  }
  function init() {
    place(document);
    putBack();
    document.addEventListener("submit", onceOnly);
    window.addEventListener("pageshow", function (evt) {
      if (evt.persisted) document.querySelectorAll("form[data-sent-at]").forEach(function (f) { f.removeAttribute("data-sent-at"); });
    });
    document.addEventListener("change", function (evt) {
      var el = evt.target;
      if (!(el instanceof HTMLSelectElement)) return;
      if (el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
      if (el.hasAttribute("data-navigate") && el.getAttribute("data-by") !== "key") go(el);
    });
    document.addEventListener("pointerdown", function (evt) {
      if (evt.target instanceof HTMLSelectElement && evt.target.hasAttribute("data-navigate")) evt.target.setAttribute("data-by", "pointer");
    }, true);
    document.addEventListener("keydown", function (evt) {
      var el = evt.target;
      if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-navigate")) return;
      if (evt.key !== "Enter") { el.setAttribute("data-by", "key"); return; }
      evt.preventDefault();
      go(el);
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
