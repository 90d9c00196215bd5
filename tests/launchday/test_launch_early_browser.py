"""The coordinator launches two days before T-0 on the plan page: the confirmation says how far ahead T-0
is and offers, checked, to move it to now; launching with it moves T-0 (a re-baseline, "launched early", in
the activity log) and the board counts from the launch. A second plan launched with the box unticked keeps
its T-0, and neither its plan page nor its board counts down to it. Twenty minutes after T-0, the confirmation
offers, checked, to slip T-0 to now instead (a hold from T-0 to the launch, "Launched late")."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from plans.models import Event, PlanStatus
from tests import factories
from tests.browser.shots import keep
from tests.browser.test_csp import WATCH as CSP_WATCH

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page
    from pytest_django.live_server_helper import LiveServer

    from plans.models import Plan
    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirmation(page: Page, login_page: LoginPage, live_server: LiveServer, plan: Plan) -> Locator:
    """The plan page, signed in as its coordinator at 1366x768, its launch confirmation opened."""
    assert plan.coordinator is not None
    page.add_init_script(CSP_WATCH)
    login_page(page, plan.coordinator)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/plans/{plan.slug}/")
    page.click("details.confirm-launch summary")
    return page.locator("details.confirm-launch")


def _launch(page: Page, launch: Locator, shot: str) -> None:
    """Keep a screenshot of the confirmation, confirm, and wait for the launched state."""
    launch.scroll_into_view_if_needed()
    keep(page, shot)
    launch.locator("button[value=launched]").click()
    page.wait_for_selector("h1 .badge.state-launched")


def test_launching_early_offers_to_move_t0_to_now(page: Page, login_page: LoginPage, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    t0 = timezone.now().replace(microsecond=0) + timedelta(days=2, hours=1, minutes=40)
    plan = factories.PlanFactory(coordinator=coordinator, slug="early", name="Early launch", t0=t0)
    kept = factories.PlanFactory(coordinator=coordinator, slug="kept", name="Kept T-0", t0=t0)

    launch = _confirmation(page, login_page, live_server, plan)
    assert "T-0 is in 2 days" in launch.locator("#launch-early").inner_text().replace("\xa0", " ")
    assert page.locator("#launch-move-t0").is_checked()
    _launch(page, launch, "launch-confirm-early.png")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED and abs(plan.t0 - timezone.now()) < timedelta(minutes=1)
    moved = Event.objects.get(plan=plan, kind="plan.rebaselined")
    assert moved.data["reason"] == "launched early"
    assert "launched early" in page.inner_text("body")
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    assert page.inner_text("#wr-clock").startswith("T+00:0")

    page.goto(f"{live_server.url}/plans/{kept.slug}/")
    page.click("details.confirm-launch summary")
    page.uncheck("#launch-move-t0")
    page.locator("details.confirm-launch button[value=launched]").click()
    page.wait_for_selector("h1 .badge.state-launched")
    kept.refresh_from_db()
    assert kept.t0 == t0 and not Event.objects.filter(plan=kept, kind="plan.rebaselined").exists()
    assert "before T-0" in page.inner_text("#clock-stopped")
    page.goto(f"{live_server.url}/plans/{kept.slug}/warroom/")
    assert page.inner_text("#wr-clock").startswith("T+00:0")  # from the launch, not T-2d to T-0
    assert "early: T-0" in page.inner_text("#wr-launched-early")


def test_launching_late_offers_to_slip_t0_to_now(page: Page, login_page: LoginPage, live_server: LiveServer) -> None:
    """20 minutes after T-0: the confirmation says T-0 was 20 minutes ago and offers, checked, to slip T-0 to now;
    the plan's holds then list the late start ("Launched late"), and the board counts from the launch."""
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=20)
    plan = factories.PlanFactory(coordinator=coordinator, slug="late", name="Late launch", t0=t0)
    smoke = factories.ItemFactory(checklist__plan=plan, title="Smoke test", due_offset=timedelta(minutes=15))

    launch = _confirmation(page, login_page, live_server, plan)
    assert page.locator("#clock-unlaunched").is_visible()
    assert "T-0 was 20 minutes ago" in launch.locator("#launch-late").inner_text().replace("\xa0", " ")
    assert page.locator("#launch-slip-t0").is_checked()
    _launch(page, launch, "launch-confirm-late.png")
    assert "it launched late" in page.inner_text("body")
    assert "Launched late" in page.inner_text("#plan-state")  # the holds' card
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED and plan.t0 - t0 >= timedelta(minutes=20)
    assert plan.at(timedelta(minutes=15)) > timezone.now()  # the smoke test is not late the moment the launch began
    smoke.refresh_from_db()
    assert smoke.due_offset == timedelta(minutes=15)  # it moved with T-0
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    assert page.inner_text("#wr-clock").startswith("T+00:0")
