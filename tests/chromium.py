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
is started again.

Browser contexts are kept between the tests of a process (:class:`ContextPool`), each with a blank page parked in
it: Chromium takes about 0.9 s of CPU to open a page in a context that has none open (a new context, or one whose
pages have all closed), about 0.35 s with one open; some 80 contexts a run made that a quarter of its share of the
suite. A kept context is lent again as signed out and as empty as a new one (the test's pages closed, its cookies,
its origins' storage and its HTTP cache cleared), and only if the test changed nothing else a new one would not
have (a clock, a route, an init script, a permission, a listener...); otherwise it is closed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

#: Debian's Chromium; ``LC_TEST_CHROMIUM`` may name a wrapper that execs it (docs/performance.md's CPU measurements put
#: Chromium in a cgroup of its own that way).
CHROMIUM = os.environ.get("LC_TEST_CHROMIUM", "/usr/bin/chromium")
#: The flags the project runs Chromium with, and one renderer process for all of a test process's pages:
#: Chromium otherwise starts a renderer per page (about 270 for the 64 browser tests), each costing start-up CPU.
#: Pages, contexts, their cookies and storage are as separate as before (a context is a profile, not a
#: process); the pages of one test share a main thread, which no test can tell. Measured back to back
#: (2026-11-27, fourth session): Chromium's CPU for the browser tests in one process 104 s → 85–96 s, and
#: for the whole suite with three processes 105–111 s → 98 s.
#: Chromium features turned off on top of Playwright's own (:func:`disabled_features`): the address bar's popup,
#: which headless Chromium 156 builds as two WebUI pages in renderers of their own for every window (every page a
#: test opens), never shown; a fifth of Chromium's CPU in the browser tests, measured on 18 of them.
NOT_USED = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
#: Playwright's driver disables these (its ``chromiumSwitches``; read from the installed driver when it can be):
#: the copy of Playwright 1.65's list used when it cannot.
PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
_FEATURE_LIST = re.compile(r"disabledFeatures = \[(.*?)\]\.filter\(Boolean\)", re.S)


def playwright_disabled_features() -> tuple[str, ...] | None:
    """The features the installed Playwright driver passes in its ``--disable-features``, or None if its bundle
    no longer reads as expected (tests/browser/test_chromium_flags.py then fails, saying so)."""
    import playwright

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    for bundle in sorted(lib.rglob("*.js")):
        text = bundle.read_text(errors="replace")
        if "disabledFeatures = [" not in text:
            continue
        found = _FEATURE_LIST.search(text)
        if found:
            body = re.sub(r"//[^\n]*", "", found.group(1))
            return tuple(re.findall(r'"([^"]+)"', body))
    return None


def disabled_features() -> str:
    """One ``--disable-features`` for Playwright's features and ours: Chromium reads only the last of several
    (ours, after Playwright's), so ours must repeat Playwright's."""
    theirs = playwright_disabled_features() or PLAYWRIGHT_DISABLED
    return "--disable-features=" + ",".join(dict.fromkeys((*theirs, *NOT_USED)))


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--renderer-process-limit=1",
]
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
        self.pool = ContextPool()

    @contextmanager
    def using(self) -> Iterator[Browser]:
        """A connected Chromium, with Playwright's loop marked as running in this thread until the end."""
        outside = asyncio._get_running_loop(), sys.get_asyncgen_hooks(), os.environ.get(ASYNC_UNSAFE)
        if outside[0] is not None and outside[0] is not self._loop:
            raise RuntimeError("a browser test cannot run inside an event loop of its own")
        os.environ[ASYNC_UNSAFE] = "true"
        try:
            self._mark()
            browser = self._connected()
            self.pool.serve(browser)
            try:
                yield browser
            finally:
                self.pool.take_back()  # the contexts the test left open
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
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, disabled_features()]
            )
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


#: Calls that leave a context unlike a new one (its clock is the context's too): a context that had one of them
#: is closed, not kept.
MARKING_CONTEXT_CALLS = (
    "add_init_script",
    "expose_binding",
    "expose_function",
    "grant_permissions",
    "new_cdp_session",
    "route",
    "route_from_har",
    "route_web_socket",
    "set_default_navigation_timeout",
    "set_default_timeout",
    "set_extra_http_headers",
    "set_geolocation",
    "set_offline",
    "set_storage_state",
)
MARKING_CLOCK_CALLS = ("install", "fast_forward", "pause_at", "resume", "run_for", "set_fixed_time", "set_system_time")
#: Playwright's viewport for a context asked for without one.
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}


@dataclass
class _Kept:
    """The pool's record of one of its contexts."""

    key: str  # the options it was made with, the viewport aside (each of its pages gets the one asked for)
    browser: Browser
    close: Callable[[], None]  # the context's own close and new_page
    new_page: Callable[[], Page]
    listeners: int  # how many listeners it had when made: a test's own would outlive the test
    viewport: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_VIEWPORT))
    origins: set[str] = field(default_factory=set)  # where its pages went: their storage is cleared
    parked: Page | None = None  # the blank page that stays open between tests
    marked: bool = False


class ContextPool:
    """The browser contexts of this process's tests, kept between tests (see the module's docstring).

    :meth:`serve` makes the browser's ``new_context`` lend a kept context made with the same options, or a new
    one; the context's ``close`` gives it back. :meth:`take_back` (each browser test's end) takes back those the
    test left open."""

    def __init__(self) -> None:
        self._idle: dict[str, list[BrowserContext]] = {}
        self._lent: list[BrowserContext] = []
        self._kept: dict[int, _Kept] = {}
        self.reused = 0

    def serve(self, browser: Browser) -> None:
        if getattr(browser, "_lc_pool", None) is self:
            return
        make = browser.new_context

        def new_context(**options: Any) -> BrowserContext:
            return self._lend(browser, make, options)

        setattr(browser, "new_context", new_context)  # noqa: B010 (this instance's method, replaced)
        setattr(browser, "_lc_pool", self)  # noqa: B010

    def take_back(self) -> None:
        for context in list(self._lent):
            context.close()

    def _lend(self, browser: Browser, make: Callable[..., BrowserContext], options: dict[str, Any]) -> BrowserContext:
        viewport = options.pop("viewport", None) or DEFAULT_VIEWPORT
        key = repr(sorted(options.items()))
        idle = self._idle.get(key, [])
        while idle:
            context = idle.pop()
            if self._kept[id(context)].browser is browser and browser.is_connected():
                self.reused += 1
                break
            self._kept.pop(id(context))  # its Chromium is gone
        else:
            context = make(**options)
            self._keep(context, key, browser)
        self._kept[id(context)].viewport = dict(viewport)
        self._lent.append(context)
        return context

    def _keep(self, context: BrowserContext, key: str, browser: Browser) -> None:
        kept = _Kept(key, browser, context.close, context.new_page, _listeners(context))
        self._kept[id(context)] = kept

        def marking(call: Callable[..., Any]) -> Callable[..., Any]:
            def marked(*args: Any, **kwargs: Any) -> Any:
                kept.marked = True
                return call(*args, **kwargs)

            return marked

        for name in MARKING_CONTEXT_CALLS:
            setattr(context, name, marking(getattr(context, name)))
        for name in MARKING_CLOCK_CALLS:
            setattr(context.clock, name, marking(getattr(context.clock, name)))

        def new_page() -> Page:
            page = kept.new_page()
            page.set_viewport_size(kept.viewport)  # type: ignore[arg-type]
            goto = page.goto

            def tracked_goto(url: str, **kwargs: Any) -> Any:
                kept.origins.add(_origin(url))
                return goto(url, **kwargs)

            setattr(page, "goto", tracked_goto)  # noqa: B010
            return page

        def close(**kwargs: Any) -> None:
            self._give_back(context)

        setattr(context, "new_page", new_page)  # noqa: B010
        setattr(context, "close", close)  # noqa: B010

    def _give_back(self, context: BrowserContext) -> None:
        kept = self._kept.get(id(context))
        if kept is None or context not in self._lent:
            return  # closed twice, as a context may be
        self._lent.remove(context)
        try:
            emptied = self._empty(context, kept)
        except Exception:  # a crashed page, Chromium gone: closed instead
            emptied = False
        if emptied:
            self._idle.setdefault(kept.key, []).append(context)
            return
        self._kept.pop(id(context))
        with contextlib.suppress(Exception):  # its Chromium is gone, and the context with it
            kept.close()

    def _empty(self, context: BrowserContext, kept: _Kept) -> bool:
        """Leave ``context`` as signed out and as empty as a new one, its blank page parked in it; False if it
        cannot be (it is closed instead)."""
        if kept.marked or not kept.browser.is_connected() or _listeners(context) != kept.listeners:
            return False
        if kept.parked is None or kept.parked.is_closed():
            kept.parked = kept.new_page()  # before the test's pages close: the context is never without one
        pages = [page for page in context.pages if page is not kept.parked]
        kept.origins.update(_origin(page.url) for page in pages)
        origins = sorted(origin for origin in kept.origins if origin.startswith("http"))
        if origins:
            cdp = type(context).new_cdp_session(context, kept.parked)  # the class's: not the marking wrapper
            for origin in origins:
                cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
            cdp.send("Network.clearBrowserCache")  # the status page and the favicon are cacheable for minutes
            cdp.detach()
        for page in pages:  # (session storage is a page's own: it goes with the page)
            page.close()
        context.clear_cookies()
        kept.origins.clear()
        return True


def _listeners(context: BrowserContext) -> int:
    impl = context._impl_obj
    return sum(len(impl.listeners(name)) for name in impl.event_names())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
