"""The browser contexts kept between tests (tests/chromium.py, ``ContextPool``): a context given back is lent
again only as signed out and as empty as a new one (no cookies, no storage, nothing in its HTTP cache), with the
viewport the next test asks for; one that a test changed in a way a new context would not be (a clock, a
listener) is closed, and a new one made instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.signals import request_started

from tests import factories
from tests.signin import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from pytest_django.live_server_helper import LiveServer

    from tests.chromium import Chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_context_is_lent_again_signed_out_and_empty(
    browser: Browser, chromium: Chromium, live_server: LiveServer
) -> None:
    user = factories.UserFactory(username="dba")
    first = browser.new_context(viewport={"width": 1366, "height": 768}, timezone_id="Pacific/Chatham")
    sign_in(first, live_server.url, user)
    page = first.new_page()
    page.goto(f"{live_server.url}/")
    assert "Sign out" in page.inner_text("body")  # signed in
    page.evaluate("localStorage.setItem('lc-hide-done', '1'); sessionStorage.setItem('x', '1')")
    assert page.viewport_size == {"width": 1366, "height": 768}
    first.close()

    again = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Pacific/Chatham")
    assert again is first  # the same context, lent again
    assert again.cookies() == []
    page = again.new_page()
    assert page.viewport_size == {"width": 390, "height": 844}
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")  # signed out: sent to sign in
    assert page.evaluate("[localStorage.length, sessionStorage.getItem('x')]") == [0, None]
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Pacific/Chatham"
    again.close()

    other = browser.new_context(timezone_id="Europe/London")  # other options: another context
    assert other is not first
    other.close()
    assert chromium.pool.reused >= 1


def test_a_context_with_a_clock_or_a_listener_is_not_lent_again(browser: Browser, live_server: LiveServer) -> None:
    clocked = browser.new_context(timezone_id="America/St_Johns")
    clocked.new_page().clock.install()
    clocked.close()
    listened = browser.new_context(timezone_id="America/St_Johns")
    assert listened is not clocked
    listened.on("page", lambda page: None)
    listened.close()
    fresh = browser.new_context(timezone_id="America/St_Johns")
    assert fresh is not clocked and fresh is not listened
    page = fresh.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("typeof Date.now()") == "number"
    fresh.close()


def test_a_context_left_open_is_taken_back_at_the_end_of_the_test(browser: Browser, chromium: Chromium) -> None:
    left = browser.new_context(timezone_id="Asia/Kathmandu")
    left.new_page().set_content("<p>left open</p>")
    chromium.pool.take_back()
    again = browser.new_context(timezone_id="Asia/Kathmandu")
    assert again is left
    assert [page.url for page in again.pages] == ["about:blank"]  # only the parked blank page
    again.close()


def test_what_a_test_cached_is_asked_for_again(browser: Browser, live_server: LiveServer) -> None:
    """The favicon is cacheable for a day (and the public status page for minutes): a context lent again asks
    the server for it, as a new context would."""
    url = f"{live_server.url}/favicon.ico"
    asked: list[str] = []

    def heard(sender: object, environ: dict[str, str], **kwargs: object) -> None:
        asked.append(environ["PATH_INFO"])

    request_started.connect(heard, dispatch_uid="test.context_pool")
    try:
        for lent in ("new", "again"):
            context = browser.new_context(timezone_id="Atlantic/Azores")
            page = context.new_page()
            page.goto(url)
            assert len(asked) == 1, f"a context lent {lent} has the icon in its cache"
            # Chromium writes a response into its cache a moment after handing it to the page: visit until
            # a visit is served from the cache (the server is not asked), so the context surely has it.
            for _ in range(50):
                before = len(asked)
                page.goto(url)
                if len(asked) == before:
                    break
            else:
                pytest.fail("Chromium never served the icon from its cache")
            asked.clear()
            context.close()
    finally:
        request_started.disconnect(dispatch_uid="test.context_pool")
