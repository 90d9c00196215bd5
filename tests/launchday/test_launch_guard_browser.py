"""The coordinator's click path on the plan page while the Go/No-Go says NO-GO (plans.guards): the NO-GO's
hold ends only with a typed override, "→ Launched" opens a confirmation that says what launching does and
which gate says no, and the launch goes through only with the override's reason, which the activity log
shows. No inline script: the confirmation is a <details> (the CSP watch sees no violation)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from checklists.services import gate_decide, gate_open_poll, vote_cast
from plans.models import Event, PlanStatus
from tests import factories
from tests.browser.shots import keep
from tests.browser.test_csp import WATCH as CSP_WATCH

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_launches_against_a_no_go_only_with_a_reason(
    page: Page, login_page: LoginPage, live_server: LiveServer
) -> None:
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(hours=2)
    )
    dba = factories.UserFactory(username="dba")
    role = factories.RoleFactory(plan=plan, name="Database Administrator", slug="dba", primary=dba)
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go", offset=timedelta(days=-1))
    gate.authority_role = None
    gate.save()
    gate.polled_roles.set([role])
    gate_open_poll(gate, by=coordinator)
    vote_cast(gate, role=role, by=dba, vote="no_go", comment="Replication lag")
    gate_decide(gate, by=coordinator, decision="no_go", reason="Replication lag too high")

    page.add_init_script(CSP_WATCH)
    login_page(page, coordinator)
    page.goto(f"{live_server.url}/plans/{plan.slug}/")
    state = page.locator("#plan-state")
    assert "Go/No-Go is decided NO-GO: Replication lag too high" in state.inner_text()
    assert page.locator("text=End hold and resume").count() == 0
    page.click("text=Override the gate and resume")  # the reason is required: the browser keeps the form
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HOLD
    page.fill("#hold-override", "DBA confirms the lag is back under a second")
    page.click("text=Override the gate and resume")
    page.wait_for_selector("h1 .badge.state-countdown")

    launch = page.locator("details.confirm-launch")
    assert launch.locator("button[value=launched]").is_hidden()  # one click does not launch
    page.click("details.confirm-launch summary")
    assert "the public status page say Launched" in launch.inner_text()
    assert "Go/No-Go is decided NO-GO" in launch.inner_text()
    page.set_viewport_size({"width": 1366, "height": 768})
    launch.scroll_into_view_if_needed()
    keep(page, "launch-confirm-no-go.png")
    launch.locator("button[value=launched]").click()  # no reason: refused by the browser, nothing sent
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN
    page.fill("#launch-override", "Exec sign-off by phone; re-poll at T+1h")
    launch.locator("button[value=launched]").click()
    page.wait_for_selector("h1 .badge.state-launched")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED
    reasons = list(
        Event.objects.filter(plan=plan, kind="gate.overridden").order_by("pk").values_list("data__reason", flat=True)
    )
    assert reasons == ["DBA confirms the lag is back under a second", "Exec sign-off by phone; re-poll at T+1h"]
    page.goto(f"{live_server.url}/plans/{plan.slug}/activity/")
    assert "Exec sign-off by phone" in page.inner_text("main")
    assert page.evaluate("window.__csp") == []
