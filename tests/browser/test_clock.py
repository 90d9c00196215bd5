"""static/js/clock.js in Chromium: the boundary table plans/clock.py is tested against
(tests/clock_cases.json) gives the same strings in the browser, and every page that shows the clock (the
plan page, the war-room board, the public status page) shows the server's time even when the browser's
own clock is an hour wrong. LC_SCREENSHOTS=dir keeps screenshots of the pages."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import timezone

from plans.services import hold_start
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage


pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).parents[1] / "clock_cases.json").read_text())
CLOCK_JS = Path(settings.BASE_DIR) / "static" / "js" / "clock.js"

EVALUATE = """(cases) => {
  const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
  const C = window.LaunchClock, out = {countdown: {}, seconds: {}, timer: {}, deadline: {}};
  for (const c of cases.countdown) {
    const hold = c.hold_since_ms === null ? null : T0 + c.hold_since_ms;
    out.countdown[c.name] = C.countdown(T0, T0 + c.now_ms, hold);
    out.seconds[c.name] = C.formatCountdown((c.hold_since_ms === null ? c.now_ms : c.hold_since_ms) / 1000);
  }
  for (const c of cases.timer) out.timer[c.name] = C.formatTimer(c.seconds);
  for (const c of cases.deadline) out.deadline[c.name] = C.formatDeadline(c.seconds_left);
  return out;
}"""


def _browser_clock_an_hour_behind(page: Page) -> None:
    """The browser believes it is an hour earlier than the server does (a laptop with a wrong clock)."""
    page.clock.install(time=timezone.now() - timedelta(hours=1))


def _assert_browser_clock_behind(page: Page) -> None:
    lag = time.time() - page.evaluate("Date.now()") / 1000
    assert 3500 < lag < 3700  # the page really runs an hour behind: the clocks below are corrected


def test_clock_cases_give_the_same_strings_in_the_browser(page: Page) -> None:
    page.set_content("<!doctype html><title>clock</title><p>clock.js</p>")
    page.add_script_tag(path=str(CLOCK_JS))
    got = page.evaluate(EVALUATE, CASES)
    countdown = {c["name"]: c["expected"] for c in CASES["countdown"]}
    assert got["countdown"] == countdown
    assert got["seconds"] == countdown
    assert got["timer"] == {c["name"]: c["expected"] for c in CASES["timer"]}
    assert got["deadline"] == {c["name"]: c["expected"] for c in CASES["deadline"]}


def test_server_clock_measures_the_skew_from_a_response(page: Page) -> None:
    page.set_content("<!doctype html><title>clock</title>")
    page.add_script_tag(path=str(CLOCK_JS))
    skews = page.evaluate(
        """() => {
      const c = new LaunchClock.ServerClock(Date.now() + 3600000);
      const first = Math.round(c.skew / 1000);
      c.sync(1000500, 1000000, 1000400);  // sent at 1000000, back at 1000400: the server read at the middle
      const second = c.skew;
      c.sync(0, 1000000, 1000400);  // no X-Server-Now header: keep what we know
      return [first, second, c.skew];
    }"""
    )
    assert skews == [3600, 300, 300]


@pytest.mark.django_db(transaction=True)
def test_status_page_clock_uses_the_server_time_and_freezes_on_hold(page: Page, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="midas", name="Midas go-live", t0=timezone.now() + timedelta(hours=2, seconds=30)
    )
    _browser_clock_an_hour_behind(page)
    page.goto(f"{live_server.url}/status/{plan.slug}/")
    _assert_browser_clock_behind(page)
    # Corrected by the server's clock: two hours to go, not the three the browser's own clock says.
    page.wait_for_function("() => document.querySelector('#countdown').textContent.startsWith('T-02:00:')")
    keep(page, "status.png", full_page=True)

    hold_start(plan, by=coordinator, reason="Payment provider incident")
    # A reload, not a second visit: the page may be kept by the browser for its max-age (statuspage.cache);
    # a reload revalidates it, and the server's cache has dropped the stale rendering on the hold's commit.
    page.reload()
    frozen = page.inner_text("#countdown")
    assert frozen.startswith("On hold at T-02:00:")
    page.clock.run_for(3000)
    assert page.inner_text("#countdown") == frozen
    keep(page, "status-hold.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_plan_page_and_board_clocks_use_the_server_time(
    page: Page, live_server: LiveServer, login_page: LoginPage, settings: Settings
) -> None:
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders): its first poll sooner
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(hours=2, seconds=30)
    )
    login_page(page, coordinator)
    _browser_clock_an_hour_behind(page)
    page.goto(f"{live_server.url}/plans/{plan.slug}/")
    _assert_browser_clock_behind(page)
    page.wait_for_function("() => document.querySelector('[data-countdown]').textContent.startsWith('T-02:00:')")
    keep(page, "plan.png", full_page=True)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    page.wait_for_selector("#wr-root")
    _assert_browser_clock_behind(page)
    page.wait_for_function("() => document.getElementById('wr-clock').textContent.startsWith('T-02:00:')")
    page.wait_for_function("() => window.warroom.polls >= 1")
    page.clock.run_for(1500)
    assert page.inner_text("#wr-clock").startswith("T-02:00:")
    keep(page, "board.png", full_page=True)
