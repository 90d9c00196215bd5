"""The database cutover runbook two hours in, its backup 48 minutes over: the timeline shows planned,
forecast and actual bars and the gate, the board the forecast end, its slip and the point of no return
at risk. With LC_SCREENSHOTS=docs the screenshots go to docs/forecast-timeline.png and docs/forecast-board.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus, Step, StepStatus
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
M = timedelta(minutes=1)


def _cutover_two_hours_in(coordinator: User) -> Plan:
    text = (ROOT / "tests" / "runbooks" / "database-cutover.yaml").read_text()
    t0 = timezone.now() - 120 * M
    plan = import_plan_text(text, filename="cutover.yaml", t0=t0, coordinator=coordinator)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)
    done = {  # name: (actual start, actual finish) in minutes from T-0
        "Announce maintenance": (0, 5),
        "Put the application in maintenance mode": (5, 17),
        "Stop replication writers": (17, 27),
    }
    for name, (start, finish) in done.items():
        Step.objects.filter(plan=plan, name=name).update(
            status=StepStatus.DONE, actual_start=t0 + start * M, actual_finish=t0 + finish * M
        )
    Step.objects.filter(plan=plan, name="Final backup of the old cluster").update(
        status=StepStatus.IN_PROGRESS, actual_start=t0 + 27 * M
    )
    plan.refresh_from_db()
    return plan


def test_timeline_and_board_show_the_forecast_slip(browser: Any, login_page: Any, live_server: LiveServer) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = _cutover_two_hours_in(coordinator)  # type: ignore[arg-type]
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, coordinator)
        page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
        page.wait_for_selector("#tl-forecast")
        assert page.locator(".bar.forecast").count() == 8  # the running backup and the seven after it
        assert page.locator(".tl-gate").count() >= 1
        assert page.locator(".badge.risk-at_risk").count() == 1
        keep(page, "forecast-timeline.png", full_page=True)

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        page.wait_for_selector("#wr-forecast")
        text = page.inner_text("#wr-forecast")
        assert "AT RISK: Promote the new primary" in text
        assert "+5" in text  # the slip, 50-odd minutes
        keep(page, "forecast-board.png")
    finally:
        context.close()
