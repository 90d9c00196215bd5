"""T-0 passing on open pages of a plan not launched yet (tests/warroom/test_unlaunched.py for the server's part):
the board says "passed, not launched" and the plan page "T-0 has passed: not launched yet" at T-0 by the page's
own clock, with no request; the public status page's countdown stops at T-0 and reads "Starting shortly" (its
"T+00:00:05" read as launched to the customers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests import factories
from tests.browser.shots import keep
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWN = "(s) => { const el = document.querySelector(s); return !!el && !el.hidden && el.offsetParent !== null; }"


def test_t0_passing_shows_not_launched_without_a_request(
    browser: Browser, login_page: LoginPage, live_server: LiveServer
) -> None:
    coordinator = factories.UserFactory(username="coord")
    t0 = datetime.now(UTC) + timedelta(seconds=4)
    plan = factories.PlanFactory(coordinator=coordinator, t0=t0, name="Midas go-live", slug="midas")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    board, detail = context.new_page(), context.new_page()
    login_page(board, coordinator)
    board.set_viewport_size({"width": 1920, "height": 1080})
    board.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    detail.goto(f"{live_server.url}/plans/{plan.slug}/")
    status = browser.new_context().new_page()
    status.goto(f"{live_server.url}/status/{plan.slug}/")
    assert not board.evaluate(SHOWN, "#wr-unlaunched") and not detail.evaluate(SHOWN, "#clock-unlaunched")
    wait_for_js(status, "/^T-/.test(document.querySelector('[data-sp-countdown]').textContent)")

    # The plan page's live part, fetched every 5 s, would bring the words too: its fetches fail from here on.
    detail.route(f"**/plans/{plan.slug}/live/**", lambda route: route.abort())
    wait_for_js(board, SHOWN, "#wr-unlaunched", timeout=10_000)
    wait_for_js(detail, SHOWN, "#clock-unlaunched", timeout=5_000)
    assert board.inner_text(".wr-t0").endswith("passed, not launched")
    assert board.inner_text("#wr-clock").startswith("T+") and board.inner_text("#wr-state") == "COUNTDOWN"
    assert "T-0 has passed: not launched yet" in detail.inner_text(".clock")
    wait_for_js(status, "document.querySelector('[data-sp-countdown]').textContent === 'Starting shortly'")
    keep(board, "board-t0-passed-not-launched.png")
    status.context.close()
    context.close()
