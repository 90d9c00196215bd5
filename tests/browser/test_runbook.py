"""Issue 10 in Chromium: the cutover runbook's role page opens a step's runbook detail in place; on the
go-live template's board the Incident Commander pulls a discretionary rollback trigger and the alarm shows
its action, someone of another role finds nothing to pull; when the launch rolls back the rollback
procedure appears on the board. With LC_SCREENSHOTS=docs, screenshots: docs/runbook-role.png, docs/runbook-board.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus, Step
from plans.services import plan_transition
from roles.models import Role
from tests import factories
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUNBOOKS = Path(__file__).resolve().parent.parent / "runbooks"


def _import(name: str, coordinator: Any, **kwargs: Any) -> Plan:
    text = (RUNBOOKS / name).read_text()
    return import_plan_text(text, t0="2026-12-06T09:00", tz="Europe/London", coordinator=coordinator, **kwargs)


def _assign(plan: Plan, slug: str, username: str) -> Any:
    user = factories.UserFactory(username=username)
    Role.objects.filter(plan=plan, slug=slug).update(primary=user)
    return user


def test_the_role_page_opens_a_step_s_runbook_in_place(
    page: Any, login_page: Callable[..., Any], live_server: Any
) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = _import("cutover_runbook.yaml", coordinator)
    dba = _assign(plan, "dba", "dba")
    login_page(page, dba)
    page.goto(f"{live_server.url}/plans/{plan.slug}/roles/dba/")
    step = Step.objects.get(plan=plan, name="Final sync")
    detail = page.locator(f"#step-{step.pk} details.step-detail")
    assert not detail.evaluate("d => d.open")
    detail.locator("summary").click()
    assert detail.evaluate("d => d.open")
    assert "Run the final DMS full-load-and-CDC task to completion." in detail.inner_text()
    assert "Writes frozen" in detail.inner_text()
    keep(page, "runbook-role.png", full_page=True)
    detail.locator("a", has_text="Open the step's page").click()
    page.wait_for_load_state("networkidle")
    assert "Row counts of the 20 largest tables match" in page.inner_text("main")


def test_a_named_role_pulls_a_trigger_on_the_board(page: Any, login_page: Callable[..., Any], live_server: Any) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = _import(
        "golive_template.yaml",
        coordinator,
        values={
            "bridge_url": "https://meet.example.com/war-room",
            "status_page_url": "https://status.example.com",
            "incident_commander": "Alice Smith",
        },
    )
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(plan, to=state, by=coordinator)
    commander = _assign(plan, "incident-commander", "ic")
    comms = _assign(plan, "comms-lead", "comms")
    page.set_viewport_size({"width": 1920, "height": 1080})
    login_page(page, comms)
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    assert page.locator("#wr-pull").count() == 0
    page.context.clear_cookies()

    login_page(page, commander)
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    assert "War-room bridge" in page.inner_text(".wr-links")
    page.click("#wr-pull summary")
    page.fill("#wr-pull input[name=reason]", "Support sees failed card payments")
    page.click("#wr-pull button[data-action=trigger-raise]")
    page.wait_for_load_state("networkidle")
    alarm = page.locator(".wr-banner.alarm")
    assert "ROLL BACK THE RELEASE AND PAGE THE SECURITY TEAM" in alarm.inner_text()

    plan_transition(plan, to=PlanStatus.ROLLED_BACK, by=coordinator, reason="Failed payments")
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    assert "ROLLBACK" in page.inner_text(".wr-procedure") and "Point DNS back" in page.inner_text(".wr-procedure")
    keep(page, "runbook-board.png")
