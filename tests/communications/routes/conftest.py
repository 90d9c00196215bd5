"""A plan with notification routes pointed at a local receiver (tests/communications/sink.py: real sockets
on 127.0.0.1), and a clock to tick the outbox at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from communications.models import Route
from plans.models import Placeholder, PlanStatus
from roles.models import EscalationLevel
from tests import factories
from tests.communications.sink import Sink

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M, S = timedelta(minutes=1), timedelta(seconds=1)


@dataclass
class Setup:
    plan: Plan
    sink: Sink
    tech: Role
    mgmt: Role
    slack: Route
    teams: Route
    pager: Route


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as receiver:
        yield receiver


@pytest.fixture
def routed(db: None, coordinator: User, sink: Sink, monkeypatch: pytest.MonkeyPatch) -> Setup:
    """A launched plan (UTC) with a two-rung matrix, and a Slack route (URL from the environment), a Teams
    route (URL from a placeholder) and a PagerDuty route (routing key from a placeholder; one from the
    environment would go only to PagerDuty's own hosts)."""
    monkeypatch.setenv("LC_ROUTE_SLACK", f"{sink.url}/ok/slack")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        plan = factories.PlanFactory(
            coordinator=coordinator, name="Checkout v2", slug="checkout-v2", t0=NOW, timezone="UTC",
            status=PlanStatus.LAUNCHED,
        )  # fmt: skip
    tech = factories.RoleFactory(plan=plan, name="Technical team", backup=None)
    mgmt = factories.RoleFactory(plan=plan, name="Management", backup=None)
    for level, name, after, role in [(1, "Technical", 0, tech), (2, "Management", 15, mgmt)]:
        lvl = EscalationLevel.objects.create(plan=plan, level=level, name=name, after=timedelta(minutes=after))
        lvl.roles.set([role])
    Placeholder.objects.create(plan=plan, name="teams_hook", kind="link", value=f"{sink.url}/ok/teams")
    Placeholder.objects.create(plan=plan, name="pd_key", value="R0UT1NGKEY0123456789abcdefABCDEF")
    slack = Route.objects.create(plan=plan, order=0, name="War room", kind="slack", url="env:LC_ROUTE_SLACK")
    teams = Route.objects.create(plan=plan, order=1, name="Managers", kind="teams", url="{{ teams_hook }}")
    pager = Route.objects.create(
        plan=plan, order=2, name="Pager", kind="pagerduty", key="{{ pd_key }}", url=f"{sink.url}/ok/pd"
    )
    return Setup(plan, sink, tech, mgmt, slack, teams, pager)


def posted(sink: Sink, path: str) -> list[dict]:
    with sink.lock:
        return [c["json"] for c in sink.calls if c["path"] == path]
