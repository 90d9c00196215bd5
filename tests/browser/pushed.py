"""Pushed, not polled, counted from each page's hello.

A live page polls from its load until its stream's hello (static/js/live.js: polling until the stream proves
it works). On a loaded machine a hello later than the first poll interval counts a poll that has nothing to
do with the change a test makes, so "no poll at all" since the load is a race. :func:`at_hello` takes each
page's counters once the stream is up and whatever such a poll fetched is back; :func:`assert_pushed` then
asserts that the change came by the same stream (no drop, no reconnect), with not one poll since."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from playwright.sync_api import Page

Counters = dict[int, dict[str, Any]]


def at_hello(*pages: Page) -> Counters:
    """Each page's ``window.lcLive`` once its stream is up and no request of its own is in flight."""
    for pg in pages:
        wait_for_js(pg, "window.lcLive && window.lcLive.mode === 'push' && window.lcLive.hellos >= 1")
        wait_for_js(pg, "!document.querySelector('.htmx-request')")
    return {id(pg): pg.evaluate("window.lcLive") for pg in pages}


def assert_pushed(before: Counters, *pages: Page, swapped: bool = True) -> None:
    """Every page heard a revision on the stream it had at :func:`at_hello`, polled nothing since, and
    (``swapped``) swapped something in, in the same document (no reload)."""
    for pg in pages:
        live, then = pg.evaluate("window.lcLive"), before[id(pg)]
        assert live["mode"] == "push" and live["hellos"] == then["hellos"], (live, then)
        assert live["errors"] == then["errors"], (live, then)
        assert live["revs"] > then["revs"] and live["polls"] == then["polls"], (live, then)
        if swapped:
            assert live["swaps"] > then["swaps"], (live, then)
        assert pg.evaluate("window.__same_document") is True  # no reload
