"""The review page and its exports read each kind of record once: their query counts do not grow with the
number of steps, issues, readings, holds, votes, deliveries, lessons or follow-up actions (no N+1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from checklists.models import Vote
from plans import criteria
from plans.models import Event, Hold, MetricReading, Plan
from review import charts, services
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
PAGES = ("review/", "review.md", "review-data.zip", "decisions.csv")


def _grow(plan: Plan, coordinator: User, n: int) -> None:
    role = factories.RoleFactory(plan=plan, primary=coordinator)
    gate = factories.GateFactory(plan=plan, authority_role=role)
    metric = factories.MetricFactory(plan=plan)
    for i in range(n):
        start = T0 + timedelta(minutes=10 * i)
        phase = factories.PhaseFactory(plan=plan, name=f"Phase {plan.pk}-{i}")
        factories.StepFactory(
            plan=plan,
            phase=phase,
            lead_role=role,
            offset=timedelta(minutes=10 * i),
            status="done",
            actual_start=start,
            actual_finish=start + timedelta(minutes=35),
        )
        factories.IssueFactory(plan=plan, reported_at=start, acknowledged_at=start + timedelta(minutes=5))
        MetricReading.objects.create(metric=metric, value=Decimal("0.05"), recorded_at=start, recorded_by=coordinator)
        Hold.objects.create(
            plan=plan,
            reason=f"Hold {i}",
            started_at=start,
            ended_at=start + timedelta(minutes=3),
            started_by=coordinator,
            ended_by=coordinator,
        )
        voter = factories.RoleFactory(plan=plan, primary=coordinator)
        Vote.objects.create(gate=gate, role=voter, poll_round=1, vote="go", voted_by=coordinator, voted_at=start)
        Event.objects.create(
            plan=plan,
            kind="gate.decided",
            actor=coordinator,
            at=start,
            summary="GO",
            data={"gate": gate.pk, "round": 1, "decision": "go"},
        )
        factories.DeliveryFactory(plan=plan, status="failed", due_at=start)
        services.lesson_add(plan, by=coordinator, kind="improve", text=f"Lesson {i}")
        services.followup_add(plan, by=coordinator, title=f"Action {i}", owner_role=role, due_date=date(2026, 12, 9))


def _counts(plan: Plan, coordinator: User) -> dict[str, int]:
    client = Client()
    client.force_login(coordinator)
    client.get(f"/plans/{plan.slug}/review/")  # warm the session and the caches
    counts = {}
    for page in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/{plan.slug}/{page}").status_code == 200
        counts[page] = len(ctx.captured_queries)
    return counts


def test_query_counts_do_not_grow_with_the_launch(coordinator: User) -> None:
    small = factories.PlanFactory(coordinator=coordinator, t0=T0)
    large = factories.PlanFactory(coordinator=coordinator, t0=T0)
    _grow(small, coordinator, 2)
    _grow(large, coordinator, 6)
    counts = _counts(small, coordinator)
    assert counts == _counts(large, coordinator)
    # Pinned: the session and user (2), the plan, then one query per kind the review reads (steps, their
    # dependencies and the gates' marks for the forecast, phases, holds, gate decisions, gates, votes, the
    # decision record, SLAs, issues, the readings' sums, the readings, metrics, alarm events, rolled-back events,
    # deliveries, lessons, follow-ups, readings withdrawn); the page adds its forms' roles, the zip the items and
    # readings with their people.
    assert counts == {"review/": 27, "review.md": 26, "review-data.zip": 28, "decisions.csv": 26}  # + the handoff


def _busy(plan: Plan, per_kind: int) -> None:
    """``per_kind`` busy metrics (more readings than two a chart column: the test makes the chart 20 columns
    wide) of each kind of worst reading (the highest, the lowest, the first off target), and one metric with a
    few readings."""
    for kind in ("<", ">", "="):
        for _ in range(per_kind):
            metric = factories.MetricFactory(plan=plan, comparator=kind, target=Decimal("1"))
            MetricReading.objects.bulk_create(
                MetricReading(metric=metric, value=Decimal(i % 3), recorded_at=T0 + timedelta(seconds=10 * i))
                for i in range(50)
            )
    few = factories.MetricFactory(plan=plan)
    MetricReading.objects.create(metric=few, value=Decimal("0.05"), recorded_at=T0)


def test_busy_metrics_cost_the_same_queries_however_many(coordinator: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """A metric fed by monitoring is summed up and thinned by the database (plans.metric_runs), in queries that
    do not grow with the busy metrics or their readings: their charts, their latest readings and one for each
    kind of worst reading."""
    monkeypatch.setattr(criteria, "CHART_COLUMNS", 20)
    monkeypatch.setattr(charts, "CHART_COLUMNS", 20)
    three = factories.PlanFactory(coordinator=coordinator, t0=T0)
    six = factories.PlanFactory(coordinator=coordinator, t0=T0)
    _busy(three, 1)
    _busy(six, 2)
    counts = _counts(three, coordinator)
    assert counts == _counts(six, coordinator)
    # Pinned: as above but for the steps' dependencies (a plan with no step reads none), and five more for the busy
    # metrics: their charts' points, their latest readings, and their worst of each kind.
    assert counts == {"review/": 31, "review.md": 30, "review-data.zip": 32, "decisions.csv": 30}
