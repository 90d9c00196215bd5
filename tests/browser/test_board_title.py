"""A long plan name on the board: one of the real seeds is "English Training Center LMS - Phase 8 Deployment &
Operations" (62 characters), which took four lines of the board's head at 1920×1080 and pushed every panel down.
Past 40 characters the name takes a smaller face (32 units, still above the 28 of secondary text): three lines
at most, from 1280×720 to 3840×2160; a short name keeps its size."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests import factories

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "English Training Center LMS - Phase 8 Deployment & Operations"
LINES = """() => { const h = document.querySelector('.wr-name'); const s = getComputedStyle(h);
  return {lines: Math.round(h.getBoundingClientRect().height / parseFloat(s.lineHeight)),
          size: parseFloat(s.fontSize), unit: Math.min(innerWidth / 1920, innerHeight / 1080)}; }"""


def test_a_long_name_takes_three_lines_at_most(page: Page, login_page: LoginPage, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord")
    long = factories.PlanFactory(coordinator=coordinator, name=LONG, slug="etc8")
    short = factories.PlanFactory(coordinator=coordinator, name="Midas The Lifestyle go-live", slug="midas")
    login_page(page, coordinator)
    for width, height in ((1280, 720), (1920, 1080), (3840, 2160)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/plans/{long.slug}/warroom/")
        got = page.evaluate(LINES)
        assert got["lines"] <= 3 and got["size"] >= 28 * got["unit"], (width, got)
        page.goto(f"{live_server.url}/plans/{short.slug}/warroom/")
        got = page.evaluate(LINES)
        assert got["size"] == pytest.approx(40 * got["unit"], abs=0.5), (width, got)
