"""A gate whose decision was due and is not taken: Midas's "T-0 Launch Authorization" (due at T-0) read "PENDING" on
the board an hour after T-0, like a gate due tomorrow. Past its moment, undecided, it reads OVERDUE with when it was
due (a gate being polled keeps POLLING, with the time in red); the plan page and the gate's page say "decision
overdue". A decided gate, one still to come, or any gate of an ended launch does not."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from checklists.models import GateStatus
from plans import services as ps
from plans.models import PlanStatus
from tests import factories
from warroom import views

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _rows(html: str) -> dict[str, str]:
    """The board's gate rows by gate name: the row's class, its meta line's text and its pill, in one string."""
    rows = {}
    for row in re.findall(r'<li class="gate [^"]*">.*?</li>', html, re.S):
        name = re.search(r'<span class="what">([^<]+)</span>', row)
        assert name is not None
        rows[name.group(1)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() + " " + row.split('"')[1]
    return rows


def test_an_undecided_gate_past_its_moment_reads_overdue(coordinator: User, client: Client) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    factories.GateFactory(plan=plan, name="Launch authorization", slug="auth", offset=timedelta(0))
    factories.GateFactory(plan=plan, name="Post-launch validation", slug="post", offset=4 * H)
    factories.GateFactory(plan=plan, name="Go/No-Go", slug="go", offset=-H, status=GateStatus.PASSED, decision="go")
    factories.GateFactory(plan=plan, name="Rollout", slug="rollout", offset=H / 2, status=GateStatus.POLLING)
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(minutes=1), tick=False):
        assert "OVERDUE" not in views.render_board(plan)
        assert "decision overdue" not in client.get(f"/plans/{plan.slug}/").content.decode()
    with time_machine.travel(T0 + H, tick=False):
        rows = _rows(views.render_board(plan))
        assert rows["Launch authorization"].endswith("due 12:00 OVERDUE gate g-pending overdue")
        assert rows["Rollout"].endswith("due 12:30 POLLING gate g-polling overdue")
        assert rows["Post-launch validation"].endswith("PENDING gate g-pending")
        assert rows["Go/No-Go"].endswith("PASSED gate g-passed")
        page = client.get(f"/plans/{plan.slug}/").content.decode()
        assert page.count("decision overdue since") == 2 and "decision overdue since Tue 12:00" in page
        assert 'id="gate-overdue"' in client.get(f"/plans/{plan.slug}/gates/auth/").content.decode()
        assert 'id="gate-overdue"' not in client.get(f"/plans/{plan.slug}/gates/post/").content.decode()
        ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")
        plan.refresh_from_db()
        assert "OVERDUE" not in views.render_board(plan)
        assert "decision overdue" not in client.get(f"/plans/{plan.slug}/").content.decode()


def test_the_gate_page_places_a_days_offset_on_the_plans_calendar(coordinator: User, client: Client) -> None:
    """A gate at T-2d before a clock change is at T-0's wall-clock time two days earlier (Plan.at), as every other
    page places it: the gate's page added 48 hours to T-0 and said 13:00 for a 12:00 decision."""
    t0 = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)  # 12:00 GMT; two days earlier London kept summer time
    plan = factories.PlanFactory(coordinator=coordinator, t0=t0, timezone="Europe/London")
    factories.GateFactory(plan=plan, name="Go/No-Go", slug="go", offset=-2 * timedelta(days=1))
    client.force_login(coordinator)
    with time_machine.travel(t0 - 3 * timedelta(days=1), tick=False):
        assert "due T-2d (Sat 24 Oct 12:00 BST)" in client.get(f"/plans/{plan.slug}/gates/go/").content.decode()
