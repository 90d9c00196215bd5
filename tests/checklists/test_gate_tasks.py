"""The gates a role decides or votes in are on its page, under "Also yours" (checklists.plan_parts.gate_tasks): a
go/no-go call was on no role's page, so a DBA whose vote the T-1d gate asked learnt of it from the coordinator.
"Decide the … gate" for the authority, "Vote on the … gate" for a polled role (saying whether its poll is open), at
the moment the decision is due, opening the gate's page; gone once decided, and on a launch that has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from checklists.models import GateStatus
from plans import services as ps
from plans.models import PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _tasks(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split('id="tasks"', 1)[1].split("</section>", 1)[0] if 'id="tasks"' in html else ""


def test_the_authority_and_the_voters_see_the_gate_on_their_pages(coordinator: User, client: Client) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    execs = factories.RoleFactory(plan=plan, name="Executive Team", slug="execs")
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    factories.RoleFactory(plan=plan, name="Operations", slug="ops")  # neither decides nor votes
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go", offset=-timedelta(days=1), authority_role=execs)
    gate.polled_roles.set([dba])
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        mine = _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        assert "Decide the Go/No-Go gate" in mine and "Mon 30 Nov 12:00" in mine and "Upcoming" in mine
        assert f'href="/plans/{plan.slug}/gates/go/"' in mine
        voter = _tasks(client, f"/plans/{plan.slug}/roles/dba/")
        assert "Vote on the Go/No-Go gate" in voter and "Its poll opens when its authority opens it." in voter
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/ops/")
        gate.status = GateStatus.POLLING
        gate.save(update_fields=["status"])
        assert "Its poll is open: vote on its page." in _tasks(client, f"/plans/{plan.slug}/roles/dba/")
    with time_machine.travel(T0 - timedelta(hours=20), tick=False):
        assert "Due" in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        gate.status = GateStatus.PASSED
        gate.save(update_fields=["status"])
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        gate.status = GateStatus.PENDING
        gate.save(update_fields=["status"])
        ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
