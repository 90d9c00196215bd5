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
   The stream's URL is <body data-live-stream>; without it (or without EventSource) the page polls.
   window.lcLive counts what happened (tests assert in events and polls, never in seconds). */
(function () {
  "use strict";
  var SAFETY_MS = 30000;
  var url = document.body.getAttribute("data-live-stream") || "";
  var state = window.lcLive = {
    mode: "poll", hellos: 0, events: 0, revs: 0, ticks: 0, pings: 0, fetches: 0, pushed: 0, polls: 0, errors: 0,
    revision: Number(document.body.getAttribute("data-live-revision") || -1), lastHeard: 0, source: null
  };
  var heartbeatMs = 15000;
  var retryMs = 1000;
  var pollTimers = {};
  var safetyTimer = null;
  var source = null;
  var reconnectTimer = null;

  function parts() { return document.querySelectorAll("[data-live-poll]"); }
  if (!parts().length) return;

  function fire(selector) {
    if (!window.htmx) return;
    document.querySelectorAll(selector).forEach(function (el) { htmx.trigger(el, "wr:poll"); });
  }
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
      if (window.htmx) htmx.trigger(el, "wr:poll");
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

  // A stream that falls silent (a buffering proxy, a half-open connection) is as good as none.
  setInterval(function () {
    if (state.mode === "push" && Date.now() - state.lastHeard > 2 * heartbeatMs + 2000) drop("silent");
  }, 1000);

  startPolling();  // until the stream's first event proves it works
  connect();
})();
