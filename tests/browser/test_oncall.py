"""Launch week, 11 hours 50 minutes in (issue 16): the board's "On call now" names who is on call for each
role with a rota (and the backup, and who takes over next), the role page says it too and shows a
recurring check as one row with its current occurrence, done and missed counts; ticking that occurrence
on the page counts it done. On a kiosk TV nobody touches, "Who to call" is open in the corner and turns to
the next contacts by itself (two lines a page). With LC_SCREENSHOTS=docs the screenshots go to docs/oncall-board.png,
docs/oncall-role.png, docs/oncall-timeline.png and docs/oncall-kiosk.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from launch.services.importer import import_plan_text
from plans.kiosk import kiosk_token
from plans.models import Plan, PlanStatus
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
M = timedelta(minutes=1)


def _week(coordinator: Any) -> Plan:
    names = {"sam": "Sam Okafor", "alice": "Alice Moreau", "bob": "Bob Lindqvist", "carol": "Carol Diaz"}
    for username, full in names.items():
        first, last = full.split()
        factories.UserFactory(username=username, first_name=first, last_name=last)
    text = (ROOT / "tests" / "runbooks" / "launch-week-oncall.yaml").read_text()
    t0 = timezone.now().replace(second=0, microsecond=0) - (11 * 60 + 50) * M
    plan = import_plan_text(text, filename="week.yaml", t0=t0, coordinator=coordinator)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.STABILIZING)
    return plan


def test_the_kiosk_shows_who_to_call_without_a_touch(browser: Any, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = _week(coordinator)
    link = factories.KioskLinkFactory(plan=plan, created_by=coordinator)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.clock.install()  # the strip's turning is driven by the test's clock, not waited for
        page.goto(f"{live_server.url}/kiosk/{kiosk_token(link)}/")
        page.wait_for_selector("#wr-oncall")
        panel = page.locator("#wr-contacts")
        assert panel.is_visible() and "who to call" in panel.inner_text().lower()
        lines = panel.locator(".wr-ct")
        assert lines.count() == 6  # Sam and Carol (the roles), then the plan's four contacts
        seen: list[str] = []
        pages = int(panel.locator("[data-ct-page]").inner_text().split("/")[1])
        assert 3 <= pages <= 6  # two lines a page: two contacts of one line, or one that wraps to two
        for turn in range(1, pages + 1):  # each page in turn, then the first again
            shown = [lines.nth(i).inner_text() for i in range(6) if lines.nth(i).is_visible()]
            assert 1 <= len(shown) <= 2 and f"{turn}/{pages}" in panel.inner_text()
            seen += [" ".join(line.split()) for line in shown]
            if turn == 1:
                keep(page, "oncall-kiosk.png")
            page.clock.run_for(8_000)
        assert "Support Lead" in seen[0] and "Hosting ☎ +1 415 555 0100" in seen
        assert "Payments ✉ support@stripe.example" in seen and len(set(seen)) == 6
        assert f"1/{pages}" in panel.inner_text()
        # it fits: nothing scrolls, and it sits beside the footer, under none of the panels
        assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
        box, foot = panel.bounding_box(), page.locator(".wr-foot").bounding_box()
        assert box is not None and foot is not None and box["y"] >= foot["y"] - 2
        assert box["y"] + box["height"] <= 1080
    finally:
        context.close()


def test_the_board_shows_who_is_on_call_now(browser: Any, login_page: Any, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = _week(coordinator)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, coordinator)
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        page.wait_for_selector("#wr-oncall")
        rows = page.locator("#wr-oncall li")
        assert rows.count() == 2
        support = rows.nth(0).inner_text()
        assert "Support Lead" in support and "Alice Moreau" in support and "/ Bob Lindqvist" in support
        assert "next Bob Lindqvist" in support
        sre = rows.nth(1).inner_text()
        assert "SRE" in sre and "Bob Lindqvist" in sre
        assert "Review the error logs #12" in page.inner_text(".wr-next")
        contacts = page.locator("#wr-contacts")  # who to call is in view without a click, and opens in place
        assert contacts.is_visible() and "Sam Okafor" in contacts.inner_text()
        contacts.locator("summary").click()
        assert contacts.locator('a[href="tel:+442079460018"]').is_visible()
        contacts.locator("summary").click()
        keep(page, "oncall-board.png")

        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/plans/{plan.slug}/roles/sre/")
        assert "On call now: Bob Lindqvist" in page.inner_text("#on-call")
        series = page.locator(".row-series", has_text="Review the error logs")
        assert "#12 of 24" in series.inner_text() and "11 missed" in series.inner_text()
        series.locator("[data-action=tick-occurrence]").click()
        page.locator(".row-series .done-count", has_text="1 done").wait_for()
        assert "9 missed" in page.locator(".row-series", has_text="Health check").inner_text()  # over, none ticked
        keep(page, "oncall-role.png", full_page=True)

        page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
        repeats = page.locator("#tl-repeats")
        repeats.scroll_into_view_if_needed()
        assert repeats.is_visible() and page.locator(".tl-series").count() == 4
        assert page.locator(".bar.shift.is-now").count() == 2  # Alice (support) and Bob (SRE) on call now
        keep(page, "oncall-timeline.png", full_page=True)
    finally:
        context.close()
