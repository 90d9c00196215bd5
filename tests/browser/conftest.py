"""Fixtures of the browser tests that follow a live page on a real ASGI server (the push stream): the server,
a page opened signed in (or anonymous) that has heard the stream's ``hello``, and the moments revisions were
committed (propagation is timed from there). A module that needs another shape defines its own fixture of the
same name, which pytest prefers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from plans.signals import revision_committed
from tests.asgi_server import AsgiServer, running_asgi_server
from tests.browser.waiting import wait_for_js
from tests.signin import sign_in

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, Page

#: ``new_page(user or None, path, width=1366, height=768, clock=False)``; ``clock``: Playwright installs the
#: page's clock before it loads (``waiting.wait_for_js(advance_ms=…)`` moves it on).
NewPage = Callable[..., "Page"]


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    with running_asgi_server() as server:
        yield server


@pytest.fixture
def new_page(browser: Browser, asgi_server: AsgiServer) -> Iterator[NewPage]:
    contexts = []

    def _new(user: User | None, path: str, *, width: int = 1366, height: int = 768, clock: bool = False) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        pg = context.new_page()
        if clock:
            pg.clock.install()
        pg.set_default_timeout(10_000)
        if user is not None:
            sign_in(context, asgi_server.url, user)
        pg.goto(asgi_server.url + path)
        pg.evaluate("window.__same_document = true")
        wait_for_js(pg, "window.lcLive && window.lcLive.mode === 'push'")  # the stream's hello arrived
        return pg

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def committed() -> Iterator[list[float]]:
    """When each revision was committed (announced): propagation is timed from there, not from the start
    of the write (on a loaded machine the write's own queries take a while)."""
    moments: list[float] = []

    def heard(sender: object, **kwargs: object) -> None:
        moments.append(time.monotonic())

    revision_committed.connect(heard, dispatch_uid="test.committed")
    yield moments
    revision_committed.disconnect(dispatch_uid="test.committed")
