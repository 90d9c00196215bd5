/* The push channel, shared by every live part of the page (one stream per tab: browsers allow six
   connections per host over HTTP/1.1).

   A live part is an htmx element with hx-trigger="wr:poll" and data-live-poll="SECONDS". This module
   fires wr:poll on every live part:
   - when the server says the plan changed ("rev") or a time-dependent change is due ("tick");
   - once after every reconnect (what changed while the stream was down);
   - every data-live-poll seconds while the stream is not working: before its first event, after an
     error or a drop, and when it falls silent (a buffering proxy) for two heartbeats: polling is the
     fallback, automatically; the stream is tried again with a growing delay;
   - every 30 s anyway while it works (a lost event costs at most that).
   The requests are the ones the page polled with before (If-None-Match: 304 when nothing changed).
   A part marked data-live-etag gets that here: its fetch sends the ETag of its last answer, a 304 swaps
   nothing, and a fetch never lands while a field in the part has the focus (it is made when focus leaves),
   unless htmx keeps that field across the swap (hx-preserve).
   Without htmx (the public status page) wr:poll is a plain DOM event, for the page's own script.
   The stream's URL is <body data-live-stream>; without it (or without EventSource) the page polls.
   window.lcLive counts what happened (tests assert in events and polls, never in seconds). */
(function () {
  "use strict";
  var SAFETY_MS = 30000;
  var url = document.body.getAttribute("data-live-stream") || "";
  var state = window.lcLive = {
    mode: "poll", hellos: 0, events: 0, revs: 0, ticks: 0, pings: 0, fetches: 0, pushed: 0, polls: 0, errors: 0,
    revision: Number(document.body.getAttribute("data-live-revision") || -1), lastHeard: 0, source: null,
    swaps: 0, unchanged: 0, deferred: 0
  };
  var heartbeatMs = 15000;
  var retryMs = 1000;
  var pollTimers = {};
  var safetyTimer = null;
  var source = null;
  var reconnectTimer = null;

  function parts() { return document.querySelectorAll("[data-live-poll]"); }
  if (!parts().length) return;

  // A part whose own fetch is on its way is not sent another: htmx would queue it on the element that
  // fetch's answer then replaces (outerHTML), and drop it with it. It is held back and made once that fetch
  // is back (again(), below).
  function inFlight(el) { return el.classList.contains("htmx-request"); }
  function poll(el) {
    if (el.id && inFlight(el)) { defer(el); return; }
    if (window.htmx) htmx.trigger(el, "wr:poll");
    else el.dispatchEvent(new CustomEvent("wr:poll", { bubbles: true }));
  }
  function fire(selector) { document.querySelectorAll(selector).forEach(poll); }
  function fetchAll() { state.fetches += 1; fire("[data-live-poll]"); }
  // An event that carries a part itself (the board: d.parts.board = {etag, html}, live/push.py): the part's
  // own script takes it from an "lc:push" event (preventDefault = taken); a part nobody takes is fetched.
  function applyOrFetch(pushed) {
    if (!pushed) { fetchAll(); return; }
    var fetched = false;
    parts().forEach(function (el) {
      var part = el.id && pushed[el.id];
      if (part && !el.dispatchEvent(new CustomEvent("lc:push", { detail: part, cancelable: true }))) {
        state.pushed += 1;
        return;
      }
      if (!fetched) { state.fetches += 1; fetched = true; }
      poll(el);
    });
  }
  function say(kind) { document.dispatchEvent(new CustomEvent("lc:live", { detail: { kind: kind, mode: state.mode } })); }

  function startPolling() {
    var periods = {};
    parts().forEach(function (el) { periods[el.getAttribute("data-live-poll")] = true; });
    Object.keys(periods).forEach(function (s) {
      if (pollTimers[s]) return;
      var ms = Math.max(1, Number(s) || 3) * 1000;
      pollTimers[s] = setInterval(function () { state.polls += 1; fire('[data-live-poll="' + s + '"]'); }, ms);
    });
  }
  function stopPolling() {
    Object.keys(pollTimers).forEach(function (s) { clearInterval(pollTimers[s]); });
    pollTimers = {};
  }
  function toPoll(why) {
    if (state.mode !== "poll") { state.mode = "poll"; say(why); }
    if (safetyTimer) { clearInterval(safetyTimer); safetyTimer = null; }
    startPolling();
  }
  function toPush() {
    state.mode = "push";
    stopPolling();
    if (!safetyTimer) safetyTimer = setInterval(fetchAll, SAFETY_MS);
  }

  function heard(kind) {
    state.lastHeard = Date.now();
    state.events += 1;
    say(kind);
  }
  function data(evt) { try { return JSON.parse(evt.data); } catch (e) { return {}; } }

  function reconnectLater() {
    if (reconnectTimer) return;
    reconnectTimer = setTimeout(function () { reconnectTimer = null; connect(); }, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }
  function drop(why) {
    if (source) { source.close(); source = null; state.source = null; }
    toPoll(why);
    reconnectLater();
  }

  function connect() {
    if (!url || !window.EventSource) return;
    source = state.source = new EventSource(url);
    source.addEventListener("hello", function (evt) {
      var d = data(evt);
      heartbeatMs = Math.max(1000, Number(d.heartbeat || 15) * 1000);
      retryMs = 1000;
      var reconnect = state.hellos > 0;
      state.hellos += 1;
      heard("hello");
      // After a reconnect, or when the page is older than what the server knows: fetch once.
      if (reconnect || (typeof d.revision === "number" && d.revision !== state.revision)) fetchAll();
      if (typeof d.revision === "number") state.revision = d.revision;
      toPush();
    });
    source.addEventListener("rev", function (evt) {
      var d = data(evt);
      state.revs += 1;
      heard("rev");
      if (typeof d.revision === "number") state.revision = d.revision;
      applyOrFetch(d.parts);
    });
    source.addEventListener("tick", function (evt) { state.ticks += 1; heard("tick"); applyOrFetch(data(evt).parts); });
    source.addEventListener("ping", function () { state.pings += 1; heard("ping"); });
    source.onerror = function () {
      state.errors += 1;
      // CONNECTING: the browser retries by itself; CLOSED (a 204, 403 or a non-stream answer): we do.
      if (!source || source.readyState === EventSource.CLOSED) drop("closed");
      else toPoll("error");
    };
  }

  // Tell the server which revision was announced, so a fetch it triggered is never answered from an
  // older revision the server remembered for a moment (warroom.views: the revision micro-cache).
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live-poll") && state.revision >= 0) {
      evt.detail.headers["X-Live-Revision"] = String(state.revision);
    }
  });

  // Parts marked data-live-etag (the role page's rows among them): conditional fetches, and never under the
  // user's fingers: a fetch held back (you are typing in the part or have one of its forms open, a request of
  // yours from it or its own fetch is on its way, or the tab is in the background) is made once the part is
  // free or the tab shown; one that left before a request of yours began is thrown away when it comes back (it
  // would undo on the screen what you just did) and made again.
  var etags = {};
  var deferred = {};
  var writes = 0;  // the page's own requests (a vote, a tick, a form) begun since it loaded
  function tagged(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.hasAttribute && elt.hasAttribute("data-live-etag") && elt.id ? elt : null;
  }
  function busy(elt) {
    var a = document.activeElement;
    // A field htmx keeps across swaps (hx-preserve, by its id) does not hold the part back.
    if (a && a !== document.body && elt.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) &&
        !a.hasAttribute("hx-preserve")) return true;
    // A form opened to be filled in (a note, a pasted list) would close with the swap.
    if (elt.querySelector("details[open] textarea, details[open] select, details[open] input:not([type=hidden])")) {
      return true;
    }
    return !!elt.querySelector(".htmx-request");
  }
  // A tab in the background fetches nothing (a laptop with twenty tabs open); what it was told of is fetched
  // when it is shown.
  function away() { return document.visibilityState === "hidden"; }
  function defer(elt) { state.deferred += 1; deferred[elt.id] = true; }
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (!elt || !elt.hasAttribute) return;
    if (tagged(evt)) evt.detail.xhr.lcWrites = writes;
    else if (!elt.hasAttribute("data-live-poll")) writes += 1;
  });
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var elt = tagged(evt);
    if (!elt) return;
    if (away() || busy(elt)) { defer(elt); evt.preventDefault(); return; }
    var tag = etags[elt.id] || elt.getAttribute("data-live-etag");
    if (tag) evt.detail.headers["If-None-Match"] = tag;
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = tagged(evt);
    if (!elt) return;
    var xhr = evt.detail.xhr;
    if (xhr.status === 304) { state.unchanged += 1; evt.detail.shouldSwap = false; evt.detail.isError = false; return; }
    if (xhr.status !== 200) return;
    // Its ETag unkept: fetched again.
    if (busy(elt) || (xhr.lcWrites !== undefined && xhr.lcWrites !== writes)) {
      defer(elt);
      evt.detail.shouldSwap = false;
      return;
    }
    etags[elt.id] = xhr.getResponseHeader("ETag") || "";
    state.swaps += 1;
    // What the reader opened (a <details id=…>: who to call) stays open in the new rendering, and what they
    // typed and did not send (a reading typed, then a look at the dashboard) stays in its field.
    var opened = [];
    elt.querySelectorAll("details[open][id]").forEach(function (d) { opened.push(d.id); });
    var typed = typedIn(elt);
    if (opened.length || typed.length) {
      var partId = elt.id;
      setTimeout(function () {
        opened.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        var part = document.getElementById(partId);
        if (part) typed.forEach(function (t) { putBack(part, t); });
      }, 0);
    }
  });
  // A text field is found again in the new rendering by its form's action and its name. One typed into (its
  // value not the one the page came with), or one the server gave back refused (data-keep), keeps its text.
  var TEXT = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]), textarea";
  function fieldKey(f) { return (f.form ? f.form.getAttribute("action") || "" : "") + "|" + f.name; }
  function typedIn(elt) {
    var out = [];
    elt.querySelectorAll(TEXT).forEach(function (f) {
      if (f.name && f.value && (f.value !== f.defaultValue || f.hasAttribute("data-keep"))) {
        out.push({ key: fieldKey(f), value: f.value });
      }
    });
    return out;
  }
  function putBack(part, t) {
    part.querySelectorAll(TEXT).forEach(function (f) {
      if (f.name && fieldKey(f) === t.key && !f.value) {
        f.value = t.value;
        f.setAttribute("data-keep", "");
      }
    });
  }
  function again() {
    setTimeout(function () {
      Object.keys(deferred).forEach(function (id) {
        var elt = document.getElementById(id);
        if (!elt) { delete deferred[id]; return; }
        if (away() || busy(elt) || inFlight(elt)) return;
        delete deferred[id];
        poll(elt);
      });
    }, 100);
  }
  document.addEventListener("focusout", again);
  document.addEventListener("toggle", again, true);  // a form's <details> closed (toggle does not bubble)
  document.addEventListener("visibilitychange", again);
  document.body.addEventListener("htmx:afterRequest", again);

  // A stream that falls silent (a buffering proxy, a half-open connection) is as good as none.
  setInterval(function () {
    if (state.mode === "push" && Date.now() - state.lastHeard > 2 * heartbeatMs + 2000) drop("silent");
  }, 1000);

  startPolling();  // until the stream's first event proves it works
  connect();
})();
