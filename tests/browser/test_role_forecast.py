"""Issue 10 in Chromium: the go-live template's role page with its placeholders filled into the text (a
filled link, an unfilled person highlighted) and each step's planned vs forecast times, after the step ran
over. With LC_SCREENSHOTS=docs, a screenshot: docs/runbook-role-forecast.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from checklists.services import step_start
from launch.services.importer import import_plan_text
from plans.models import PlanStatus, Step
from plans.services import plan_transition
from roles.models import Role
from tests import factories
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOLIVE = Path(__file__).resolve().parent.parent / "runbooks" / "golive_template.yaml"


def test_the_role_page_shows_placeholder_values_and_the_forecast(
    page: Any, login_page: Callable[..., Any], live_server: Any
) -> None:
    coordinator = factories.UserFactory(username="coord")
    t0 = (timezone.now() + timedelta(minutes=40)).astimezone(ZoneInfo("Europe/London"))
    plan = import_plan_text(
        GOLIVE.read_text(),
        t0=t0.strftime("%Y-%m-%dT%H:%M"),
        tz="Europe/London",
        coordinator=coordinator,
        values={"bridge_url": "https://meet.example.com/war-room", "deployment_window": t0.strftime("%Y-%m-%d")},
    )
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(plan, to=state, by=coordinator)
    commander = factories.UserFactory(username="ic", first_name="Alice", last_name="Smith")
    Role.objects.filter(plan=plan, slug="incident-commander").update(primary=commander)
    bridge = Step.objects.get(plan=plan, name="Open the bridge")  # T-1h for 10m: twenty minutes ago
    with time_machine.travel(plan.t0 - timedelta(hours=1), tick=False):
        step_start(bridge, by=commander)  # on time, and still running ten minutes past its planned end

    page.set_viewport_size({"width": 1366, "height": 900})
    login_page(page, commander)
    page.goto(f"{live_server.url}/plans/{plan.slug}/roles/incident-commander/")
    row = page.locator(f"#step-{bridge.pk}")
    forecast = row.locator("[data-forecast]")
    assert "Planned" in forecast.inner_text() and "Forecast" in forecast.inner_text()
    assert forecast.locator(".slip.slip-late").count() == 1
    row.locator("details.step-detail summary").click()
    link = row.locator("a.ph-filled")
    assert link.get_attribute("href") == "https://meet.example.com/war-room"
    assert link.get_attribute("rel") == "noopener noreferrer"
    unfilled = page.locator("mark.ph-unfilled").first
    assert unfilled.inner_text() == "[Incident commander — not set]"
    assert "{{" not in page.inner_text("main")
    keep(page, "runbook-role-forecast.png", full_page=True)


def test_the_timeline_names_the_gate_a_phase_waits_for(
    page: Any, login_page: Callable[..., Any], live_server: Any
) -> None:
    coordinator = factories.UserFactory(username="coord")
    weekend = GOLIVE.parent / "migration-weekend.yaml"
    t0 = (timezone.now() - timedelta(hours=19)).astimezone(ZoneInfo("Europe/London"))
    plan = import_plan_text(
        weekend.read_text(), t0=t0.strftime("%Y-%m-%dT%H:%M"), tz="Europe/London", coordinator=coordinator
    )
    page.set_viewport_size({"width": 1600, "height": 1000})
    login_page(page, coordinator)
    page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
    waits = page.locator(".tl-phase-after")
    assert waits.count() == 1 and waits.inner_text() == "after ◆ Go/No-Go"
    assert page.locator(".tl-gate", has_text="Go/No-Go").count() >= 1
    keep(page, "phase-after-gate-timeline.png", full_page=True)
