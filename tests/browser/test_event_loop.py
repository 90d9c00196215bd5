"""One Chromium per test process (tests/chromium.py), and the tests around it: after a browser test, a test
in the same process runs ``asyncio.run`` and an async view through Django's test client (Playwright's sync API
would leave its loop marked as running in the thread), and a browser test runs after them; a Chromium killed
mid-session is launched again for the next test.

The tests are in this order on purpose (``-p no:randomly``, or a worker that gets them in turn): browser, then
async, then browser, then the kill, then browser. pytest-xdist may hand them to different processes, so the
two tests that take ``chromium`` also make the whole sequence within themselves."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.chromium import Chromium

pytestmark = pytest.mark.browser


def _async_code_runs() -> None:
    """``asyncio.run``, and the push stream's async view through the test client (asgiref's async_to_sync);
    each fails when the thread reads as running an event loop. Anonymous, the view refuses without a query:
    no test here touches the database, so pytest-django keeps them in this order."""

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert asyncio.run(answer()) == 42
    response = Client().get(reverse("live:stream", args=["any-plan"]))
    assert response.status_code == 403
    assert response.content == b"Sign in to follow this plan."


def _a_page_works(browser: Browser) -> None:
    context = browser.new_context()
    try:
        pg = context.new_page()
        pg.set_content("<p id=p>hello</p>")
        assert pg.evaluate("document.getElementById('p').textContent + ' ' + (1 + 1)") == "hello 2"
    finally:
        context.close()


def _page_works(page: Page) -> None:
    page.set_content("<button onclick=\"this.textContent='pressed'\">press</button>")
    page.click("button")
    assert page.text_content("button") == "pressed"


def test_a_browser_test(page: Page) -> None:
    _page_works(page)


def test_async_code_after_a_browser_test() -> None:
    _async_code_runs()


def test_a_browser_test_after_async_code(page: Page) -> None:
    _page_works(page)


def test_async_code_around_the_browser_in_one_test(chromium: Chromium) -> None:
    """The same sequence in one process whatever the scheduling: async code, the browser, async code."""
    _async_code_runs()
    with chromium.using() as browser:
        _a_page_works(browser)
    _async_code_runs()
    with chromium.using() as browser:
        _a_page_works(browser)


def _chromium_pids() -> list[int]:
    """This process's Chromium (the browser process, child of Playwright's driver, a child of this process)."""

    def parent(pid: int) -> int:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])

    def cmdline(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")

    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    parents: dict[int, int] = {}
    for pid in pids:
        try:
            parents[pid] = parent(pid)
        except (OSError, IndexError, ValueError):
            continue
    drivers = {pid for pid, ppid in parents.items() if ppid == os.getpid()}
    found = []
    for pid, ppid in parents.items():
        try:
            args = cmdline(pid)
        except OSError:
            continue
        if ppid in drivers and "chromium" in args[0] and not any(a.startswith("--type=") for a in args):
            found.append(pid)
    return found


def test_a_killed_chromium_is_launched_again(chromium: Chromium) -> None:
    with chromium.using() as browser:
        _a_page_works(browser)
        pids = _chromium_pids()
        assert len(pids) == 1, pids
        launches = chromium.launches
        os.kill(pids[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while browser.is_connected() and time.monotonic() < deadline:  # the driver hears of it in a sync call
            with contextlib.suppress(PlaywrightError):
                browser.new_context().close()
        assert not browser.is_connected()
    with chromium.using() as again:
        assert again.is_connected()
        assert chromium.launches == launches + 1
        _a_page_works(again)
        assert _chromium_pids() != pids


def test_a_browser_test_after_chromium_was_killed(page: Page) -> None:
    _page_works(page)
