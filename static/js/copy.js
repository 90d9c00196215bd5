// Copy buttons of the contacts panels (board, issues page, role page): <button data-copy="TEXT"> puts TEXT
// on the clipboard and says "Copied" for two seconds. One listener on the document, so buttons in HTML
// swapped in later work too. No inline script (the Content-Security-Policy refuses it).
(function () {
  "use strict";
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallback(text); });
    }
    return fallback(text);
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target instanceof Element ? evt.target.closest("button[data-copy]") : null;
    if (!button) return;
    evt.preventDefault();
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copy(button.getAttribute("data-copy") || "").then(
      function () { button.textContent = "Copied"; button.classList.add("is-copied"); },
      function () { button.textContent = "Select and copy"; }
    ).then(function () {
      window.setTimeout(function () { button.textContent = label; button.classList.remove("is-copied"); }, 2000);
    });
  });
})();
