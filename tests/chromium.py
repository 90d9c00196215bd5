"""One Playwright driver and one Chromium per test process (per pytest-xdist worker), started by the first
test that takes the ``browser`` fixture (tests/conftest.py); each test still gets browser contexts of its own.

Playwright's sync API runs its asyncio event loop in a greenlet of this thread (the dispatcher fiber,
playwright/sync_api/_context_manager.py). A sync call switches to that fiber, which is suspended inside the
loop's ``run_forever``, and the call returns by switching back from inside the loop: so between calls the
thread still reads as running that loop (``asyncio._get_running_loop()``; ``wait_for_future`` in
playwright/_impl/_greenlets.py even sets it again), and its async-generator hooks are the loop's. A test that
then runs async code of its own in this thread, ``asyncio.run`` or an async view through Django's test client
(asgiref's ``async_to_sync``), fails with "cannot be called from a running event loop"; in a server it never
would. So :meth:`Chromium.using` marks the loop as running only for a browser test (setup to teardown: the
dispatcher needs it while it runs, and Playwright's code outside a sync call, an ``expect_*`` waiter, takes the
running loop), and unmarks it afterwards, as the thread was before Playwright started.

A Chromium that has died or closed (``browser.is_connected()`` false) is launched again; a driver that has died
is started again."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

#: Debian's Chromium; ``LC_TEST_CHROMIUM`` may name a wrapper that execs it (the README's CPU measurements put
#: Chromium in a cgroup of its own that way).
CHROMIUM = os.environ.get("LC_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Django refuses its database calls in a thread that runs an event loop; a browser test's thread reads as
#: running Playwright's (see above), though the test's own code is synchronous.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


class Chromium:
    """The process's Playwright and Chromium, started on first use."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_hooks: Any = None  # the loop's async-generator hooks (sys.get_asyncgen_hooks())
        self.launches = 0

    @contextmanager
    def using(self) -> Iterator[Browser]:
        """A connected Chromium, with Playwright's loop marked as running in this thread until the end."""
        outside = asyncio._get_running_loop(), sys.get_asyncgen_hooks(), os.environ.get(ASYNC_UNSAFE)
        if outside[0] is not None and outside[0] is not self._loop:
            raise RuntimeError("a browser test cannot run inside an event loop of its own")
        os.environ[ASYNC_UNSAFE] = "true"
        try:
            self._mark()
            yield self._connected()
        finally:
            asyncio._set_running_loop(outside[0])
            sys.set_asyncgen_hooks(*outside[1])
            if outside[2] is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = outside[2]

    def close(self) -> None:
        """Close Chromium and stop the driver (the end of the test session)."""
        if self._playwright is None:
            return
        if self._driver_alive() and self._browser is not None and self._browser.is_connected():
            with self.using() as browser:
                browser.close()
        self._stop_driver()

    def _mark(self) -> None:
        if self._loop is not None and self._driver_alive():
            asyncio._set_running_loop(self._loop)
            sys.set_asyncgen_hooks(*self._loop_hooks)

    def _connected(self) -> Browser:
        if self._playwright is not None and not self._driver_alive():
            self._stop_driver()  # the driver died (and its Chromium with it): start both again
        if self._playwright is None:
            self._start_driver()
        if self._browser is None or not self._browser.is_connected():
            assert self._playwright is not None
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            self.launches += 1
        return self._browser

    def _start_driver(self) -> None:
        from playwright.sync_api import sync_playwright

        asyncio._set_running_loop(None)  # Playwright makes its own loop only where none runs
        self._playwright = sync_playwright().start()
        # Started: its dispatcher fiber is suspended inside the loop, which is marked running here.
        self._loop = asyncio._get_running_loop()
        self._loop_hooks = sys.get_asyncgen_hooks()
        assert self._loop is not None

    def _driver_alive(self) -> bool:
        return self._playwright is not None and not self._playwright._dispatcher_fiber.dead

    def _stop_driver(self) -> None:
        self._mark()  # the loop runs again to stop: as running in this thread
        playwright, self._playwright, self._browser = self._playwright, None, None
        try:
            if playwright is not None:
                playwright.stop()  # the fiber leaves the loop's run_forever, which unmarks it
        finally:
            self._loop = None
            asyncio._set_running_loop(None)
