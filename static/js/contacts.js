// The board's "Who to call" strip (templates/warroom/_contacts.html): shows data-ct-per contacts at a time
// and turns to the next ones every 8 seconds, so a kiosk TV nobody touches shows every number in turn. It
// stops turning while the pointer is over it or its full list is open. No inline script (the CSP refuses it).
(function () {
  "use strict";
  var TURN_MS = 8000;
  function start(strip) {
    var lines = strip.querySelectorAll(".wr-ct");
    var per = parseInt(strip.getAttribute("data-ct-per"), 10) || 2;
    var pages = Math.ceil(lines.length / per);
    var label = strip.querySelector("[data-ct-page]");
    var page = 0;
    function show() {
      for (var i = 0; i < lines.length; i++) {
        lines[i].hidden = Math.floor(i / per) !== page;
      }
      if (label) { label.textContent = pages > 1 ? (page + 1) + "/" + pages : ""; }
    }
    show();
    if (pages < 2) { return; }
    var panel = strip.closest(".wr-contacts");
    window.setInterval(function () {
      if (strip.matches(":hover") || (panel && panel.open)) { return; }
      page = (page + 1) % pages;
      show();
    }, TURN_MS);
  }
  function init() {
    var strips = document.querySelectorAll("[data-ct-rotate]");
    for (var i = 0; i < strips.length; i++) { start(strips[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
