/* The war-room board: ticks the clock and timers in the browser from the server's clock (formatted and
   skew-corrected by static/js/clock.js, loaded before this file), polls the fragment with If-None-Match
   (a 304 swaps nothing) when static/js/live.js says so (pushed, or polling as its fallback), and says
   STALE when neither the push stream nor the fetches have succeeded for STALE_MS. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var STALE_MS = 10000;
  var staleBanner = document.getElementById("wr-stale");
  var kiosk = board.dataset.kiosk === "1";
  var etag = board.dataset.etag || "";
  var server = new window.LaunchClock.ServerClock(board.dataset.serverNow);
  var lastOk = Date.now();
  var sentAt = 0;
  var revoked = false;
  var failing = false;  // the last fetch of the board failed: a live stream alone does not make it fresh
  // A marker that survives swaps and dies with a reload: tests use it to prove no navigation happened.
  window.warroom = { loadedAt: Date.now(), polls: 0, swaps: 0, pushes: 0, unchanged: 0, errors: 0, older: 0 };

  if (window.htmx) {
    // 304 = unchanged: never swap it (an empty body would blank the board).
    htmx.config.timeout = 8000;  // a hung poll must not block the next ones
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "304", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  var LC = window.LaunchClock;

  var zoneFormat = null;
  function localTime(now, tz) {
    try {
      if (!zoneFormat) zoneFormat = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
      return zoneFormat.format(new Date(now));
    } catch (e) { return ""; }
  }

  function tick() {
    var root = document.getElementById("wr-root");
    var now = server.now();
    if (root) {
      var t0 = Number(root.dataset.t0);
      var holdSince = root.dataset.holdSince ? Number(root.dataset.holdSince) : 0;
      var clock = document.getElementById("wr-clock");
      if (clock) {
        var text = LC.countdown(t0, now, holdSince);
        if (clock.textContent !== text) {
          clock.textContent = text;
          clock.classList.toggle("long", text.length > 10);  // "T-1d 02:03:04" takes a smaller face
        }
      }
      var lt = document.getElementById("wr-localtime");
      if (lt) lt.textContent = localTime(now, root.dataset.tz || "UTC");
      root.querySelectorAll("[data-wr-from]").forEach(function (el) {  // "passed, not launched": from T-0 on
        var shown = now >= Number(el.dataset.wrFrom);
        if (el.hidden === shown) el.hidden = !shown;
      });
      root.querySelectorAll("[data-since]").forEach(function (el) {
        el.textContent = LC.formatTimer((now - Number(el.dataset.since)) / 1000);
      });
      root.querySelectorAll("[data-deadline]").forEach(function (el) {
        var left = (Number(el.dataset.deadline) - now) / 1000;
        var over = left <= 0;  // as the server's "breached": at the deadline it is over
        el.textContent = LC.formatDeadline(left);
        el.classList.toggle("over", over);
        var row = el.closest("li.issue");
        if (row) row.classList.toggle("breached", over);
      });
    }
    var age = Date.now() - lastOk;
    var stale = revoked || age > STALE_MS;
    if (staleBanner) {
      staleBanner.hidden = !stale;
      if (revoked) staleBanner.textContent = "This kiosk link was revoked · ask the coordinator for a new one";
      else if (stale) staleBanner.querySelector("[data-stale-for]").textContent = Math.floor(age / 1000) + " s";
    }
    document.body.classList.toggle("wr-is-stale", stale);
    if (frameOf() !== frame) fit();  // the head or the foot changed height with no swap (below)
  }

  // Lists never scroll: a panel shows the rows that fit it and counts the rest in "+N more". A column's panels
  // share its height (those sized by their content, as the gates, shrink down to their heading and "+N more"),
  // so the rows are shown in turn, each kept only where every panel of its column still fits: first one row
  // in every panel (the forecast's first risk before a second "Next" row), then as many as fit, the panels
  // sized by their content (forecast, gates, metrics: each capped in CSS) before those that take the rest.
  function parts(panel) {
    var list = panel.querySelector("[data-fit-list]") || panel.querySelector(".wr-list");
    if (!list) return null;
    var more = list.querySelector("li.more");
    // ("No gates" and the like are not rows to count)
    var rows = Array.prototype.filter.call(list.children, function (li) { return li !== more && !li.classList.contains("quiet"); });
    return { panel: panel, more: more, rows: rows, base: more ? Number(more.dataset.base || 0) : 0 };
  }
  function label(p) {
    if (!p.more) return;
    var hidden = p.rows.filter(function (li) { return li.hidden; });
    var n = p.base + hidden.length;
    p.more.hidden = n === 0;
    p.more.textContent = "+" + n + " " + (p.more.dataset.noun || "more");
    if (!p.more.dataset.kinds) return;
    // The forecast's rest says what it is, the lines not written and those hidden: "+12 more missed", "+4 more:
    // 3 missed · 1 behind" (a missed deadline out of sight read "+3 more"), in red while a missed one is hidden.
    // With no line shown it is left out where the counts beside the forecast end ("15 MISSED", "2 AT RISK") say
    // it all: no step behind among them.
    var counts = JSON.parse(p.more.dataset.kinds);
    hidden.forEach(function (li) { counts[li.dataset.kind] = (counts[li.dataset.kind] || 0) + 1; });
    if (hidden.length === p.rows.length && !counts.behind) p.more.hidden = true;
    var kinds = Object.keys(counts).filter(function (k) { return counts[k] > 0; });
    var parts = kinds.map(function (k) { return counts[k] + " " + k; });
    if (kinds.length === 1) p.more.textContent = "+" + n + " more " + kinds[0];
    else if (kinds.length > 1) p.more.textContent = "+" + n + " more: " + parts.join(" · ");
    p.more.classList.toggle("bad", counts.missed > 0);
  }
  function fits(p) {
    // The lowest of the rows shown and "+N more" (the gates' sits on their heading's line, above the rows).
    var shown = p.rows.filter(function (li) { return !li.hidden; });
    if (p.more && !p.more.hidden) shown.push(p.more);
    var bottom = shown.reduce(function (b, li) { return Math.max(b, li.getBoundingClientRect().bottom); }, -Infinity);
    var cs = getComputedStyle(p.panel);  // within the panel's padding
    var limit = p.panel.getBoundingClientRect().bottom - parseFloat(cs.borderBottomWidth) - parseFloat(cs.paddingBottom);
    return !shown.length || bottom <= limit + 0.5;
  }
  // The panels' room is what the head and the foot leave. They change height with no swap or resize: a ticking
  // timer's text grows a digit ("59:59" to "1:00:00") and wraps its line, the clock takes its long face, the stale
  // banner shows. The fit is made again then (tick, every 250 ms, compares), so no panel keeps rows fitted to room
  // it no longer has, or hides rows it has room for.
  var frame = "";
  function frameOf() {
    var head = document.querySelector("#wr-root .wr-head"), foot = document.querySelector("#wr-root .wr-foot");
    return (head ? head.getBoundingClientRect().height : 0) + "/" + (foot ? foot.getBoundingClientRect().height : 0) +
      "/" + window.innerHeight;
  }
  function fit() {
    frame = frameOf();
    var all = Array.prototype.map.call(document.querySelectorAll("#wr-root [data-fit]"), parts).filter(Boolean);
    // Bare (every row hidden, "+N more" shown) each panel's height is its floor: measured, then kept as its
    // min-height (an inline style set from script: the CSP allows it), so it is never squeezed below it.
    all.forEach(function (p) {
      p.rows.forEach(function (li, i) { li.hidden = !!p.more || i > 0; });
      label(p);
      p.panel.style.minHeight = "";
    });
    all.forEach(function (p) {
      var cs = getComputedStyle(p.panel);
      var box = p.panel.getBoundingClientRect();
      var bottom = Array.prototype.reduce.call(p.panel.children, function (b, el) {
        return Math.max(b, el.getBoundingClientRect().bottom);
      }, box.top);
      var bare = bottom - box.top + parseFloat(cs.paddingBottom) + parseFloat(cs.borderBottomWidth);
      p.bare = Math.max(bare, parseFloat(cs.minHeight) || 0);
    });
    all.forEach(function (p) { p.panel.style.minHeight = Math.ceil(p.bare) + "px"; });
    all.forEach(function (p) { grow(all, p, 1); });
    var sized = function (p) { return parseFloat(getComputedStyle(p.panel).flexGrow) === 0; };
    all.filter(sized).concat(all.filter(function (p) { return !sized(p); })).forEach(function (p) {
      grow(all, p, Infinity);
    });
  }
  // The panels' floors go before a swap: htmx's settling copies an element's style attribute to its successor
  // (a panel with an id), and the CSP refuses a style attribute so set. The new board is fitted afresh.
  function unfloor() {
    document.querySelectorAll("#wr-root [data-fit][style]").forEach(function (el) { el.removeAttribute("style"); });
  }
  function grow(all, p, most) {
    var column = all.filter(function (q) { return q.panel.parentElement === p.panel.parentElement; });
    var before = column.map(fits);  // one that cannot fit even bare (a tiny screen) does not hold the rest back
    var shown = p.rows.filter(function (li) { return !li.hidden; }).length;
    for (var i = 0; i < p.rows.length && shown < most; i++) {
      if (!p.rows[i].hidden) continue;
      p.rows[i].hidden = false;
      label(p);
      if (!fits(p) || !column.every(function (q, k) { return !before[k] || fits(q); })) {
        p.rows[i].hidden = true;
        label(p);
        return;
      }
      shown += 1;
    }
  }
  window.addEventListener("resize", fit);
  window.warroom.fit = fit;  // the contacts strip (static/js/contacts.js) calls it when the footer grows to it

  document.body.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.elt !== board) return;
    // Poll only while the screen is visible (a trigger filter in hx-trigger would need eval, which the
    // Content-Security-Policy refuses); becoming visible again polls at once (visibilitychange below).
    if (document.visibilityState !== "visible") { evt.preventDefault(); return; }
    if (etag) evt.detail.headers["If-None-Match"] = etag;
    sentAt = Date.now();
    window.warroom.polls += 1;
  });
  // A poll that left before a newer board was pushed, answered after it, would show the older board until
  // the next change: kept out, as an older push is (below).
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.elt !== board || !evt.detail.xhr || evt.detail.xhr.status !== 200) return;
    var tag = evt.detail.xhr.getResponseHeader("ETag");
    if (older(tag)) {
      evt.detail.shouldSwap = false;
      window.warroom.older += 1;
    } else {
      unfloor();
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.elt !== board) return;
    var xhr = evt.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 200 || xhr.status === 304) {
      failing = false;
      lastOk = Date.now();
      server.sync(Number(xhr.getResponseHeader("X-Server-Now")), sentAt, lastOk);
      var tag = xhr.getResponseHeader("ETag");
      if (xhr.status === 200 && tag && !older(tag)) etag = tag;
      else window.warroom.unchanged += 1;
    } else if (xhr.status === 403) {
      failing = true;
      if (kiosk) revoked = true;
      else setTimeout(function () { window.location.reload(); }, 5000);  // screen token expired: sign in again
    }
    tick();
  });
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.elt !== board) return;
    window.warroom.swaps += 1;
    fit();
    tick();
  });
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, function (evt) {
      if (evt.detail && evt.detail.elt === board) failing = true;
      window.warroom.errors += 1;
      tick();
    });
  });
  // The board pushed in the stream's event (static/js/live.js, live/push.py): the bytes a fetch would get,
  // gzipped (base64), inflated here and swapped in the same way; taken (preventDefault) so the board is not
  // fetched as well. A browser without DecompressionStream does not take it: the board fetches.
  function revisionOf(tag) { return Number(String(tag).replace(/"/g, "").split(".")[1] || -1); }
  // A board (pushed or fetched) from before the one shown: never swapped in over it.
  function older(tag) { return !!(tag && etag && revisionOf(tag) < revisionOf(etag)); }
  function inflate(b64) {
    var bytes = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  var pushing = Promise.resolve();  // one after the other, in the order they came
  board.addEventListener("lc:push", function (evt) {
    var d = evt.detail;
    if (!d || typeof d.gzip !== "string" || !d.etag || !window.htmx || !window.DecompressionStream) return;
    evt.preventDefault();
    pushing = pushing.then(function () {
      if (d.etag === etag || older(d.etag)) return null;  // the same, or older: keep ours
      return inflate(d.gzip).then(function (html) {
        if (d.etag === etag || older(d.etag)) return;
        etag = d.etag;
        window.warroom.pushes += 1;
        unfloor();
        htmx.swap(board, html, { swapStyle: "innerHTML" });  // htmx:afterSwap below counts it, fits, ticks
      });
    }).then(function () {
      failing = false;
      lastOk = Date.now();
    }, function () {
      htmx.trigger(board, "wr:poll");  // could not inflate it: fetch it
    });
  });
  // The push stream's events (hello, rev, tick, ping) prove the server is reachable and has told us of
  // every change: the board is as fresh as its last successful fetch after the last change.
  document.addEventListener("lc:live", function (evt) {
    if (!failing && evt.detail && evt.detail.kind !== "error" && evt.detail.kind !== "closed" && evt.detail.kind !== "silent") {
      lastOk = Date.now();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && window.htmx) htmx.trigger(board, "wr:poll");
  });
  fit();
  tick();
  setInterval(tick, 250);
})();
