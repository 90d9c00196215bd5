// The board's "Who to call" strip (templates/warroom/_contacts.html): shows data-ct-per lines of contacts at
// a time (two contacts of one line each, or one that takes two) and turns to the next every 8 seconds, so a
// kiosk TV nobody touches shows every number in turn, each whole. It stops turning while the pointer is
// over it or its full list is open, and never turns by itself under prefers-reduced-motion (a button turns
// it). No inline script (the CSP refuses it).
// A contact too long for one line wraps (static/css/warroom.css); the strip keeps the height of its tallest
// page, so it does not jump as it turns, and tells the footer (--wr-ct-h), which stands level with it: the
// panels above end where the strip begins, and the board fits their lists again.
(function () {
  "use strict";
  var TURN_MS = 8000;
  var reduce = window.matchMedia("(prefers-reduced-motion: reduce)");
  function start(strip) {
    var lines = Array.prototype.slice.call(strip.querySelectorAll(".wr-ct"));
    var list = strip.querySelector(".wr-ct-lines");
    var per = parseInt(strip.getAttribute("data-ct-per"), 10) || 2;
    var label = strip.querySelector("[data-ct-page]");
    var panel = strip.closest(".wr-contacts");
    var pageOf = lines.map(function (li, i) { return Math.floor(i / per); });
    var pages = Math.ceil(lines.length / per);
    var page = 0;
    var size = "";
    function show(shown) {
      lines.forEach(function (li, i) { li.hidden = pageOf[i] !== shown; });
      if (label) { label.textContent = pages > 1 ? (page + 1) + "/" + pages : ""; }
    }
    // Pages of at most `per` lines: a contact on two lines has a page of its own.
    function paginate() {
      lines.forEach(function (li) {
        li.hidden = false;
        var way = li.querySelector(".wr-ct-way");
        if (way) {
          way.classList.remove("is-long");
          way.classList.toggle("is-long", way.scrollWidth > li.clientWidth + 1);
        }
      });
      var heights = lines.map(function (li) { return li.getBoundingClientRect().height; });
      var one = Math.min.apply(null, heights);
      var used = 0;
      pages = 0;
      pageOf = heights.map(function (h) {
        var rows = Math.max(1, Math.round(h / one));
        if (pages === 0 || used + rows > per) { pages += 1; used = 0; }
        used += rows;
        return pages - 1;
      });
    }
    function settle() {
      if (!list || !panel || !lines.length || (panel.open && size)) { return; }
      size = window.innerWidth + "x" + window.innerHeight;
      list.style.minHeight = "";
      paginate();
      var tallest = 0;
      for (var p = 0; p < pages; p++) {
        show(p);
        tallest = Math.max(tallest, list.getBoundingClientRect().height);
      }
      list.style.minHeight = tallest + "px";
      page = Math.min(page, pages - 1);
      show(page);
      document.body.style.setProperty("--wr-ct-h", panel.getBoundingClientRect().height + "px");
      if (window.warroom && window.warroom.fit) { window.warroom.fit(); }
    }
    // Under prefers-reduced-motion the strip never turns by itself: a "next" button beside its page number
    // turns it by hand (on a signed-in board the strip also opens to the whole list).
    var next = document.createElement("button");
    next.type = "button";
    next.className = "wr-ct-next";
    next.textContent = "next ›";
    next.setAttribute("aria-label", "Next contacts");
    next.hidden = true;
    next.addEventListener("click", function (evt) {
      evt.preventDefault();  // inside the <summary>: turn the page, do not open the list
      evt.stopPropagation();
      page = (page + 1) % pages;
      show(page);
    });
    if (label) { label.parentNode.insertBefore(next, label.nextSibling); }
    function still() {
      var on = reduce.matches;
      next.hidden = !on || pages < 2;
      return on;
    }
    settle();
    still();
    if (reduce.addEventListener) { reduce.addEventListener("change", still); }
    window.addEventListener("resize", function () {
      if (window.innerWidth + "x" + window.innerHeight !== size) { settle(); still(); }
    });
    window.setInterval(function () {
      if (still() || pages < 2 || strip.matches(":hover") || (panel && panel.open)) { return; }
      page = (page + 1) % pages;
      show(page);
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
