"""The metrics page and the board read each metric's own readings: one metric fed every few seconds (a script
or a monitoring push) does not push the others' latest reading, or the run a rollback trigger is judged on,
out of what the page reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse

from plans.models import MetricReading, RollbackTrigger
from tests import factories
from warroom import readings as selectors

if TYPE_CHECKING:
    from django.test import Client

    from plans.models import Plan

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
#: The metrics page: session, user, plan, role check, metrics, their readings, triggers, pullable triggers.
QUERIES = 8


@pytest.mark.django_db
def test_a_busy_metric_does_not_hide_the_others_latest_reading_or_shorten_a_run(plan: Plan, client: Client) -> None:
    quiet = factories.MetricFactory(plan=plan, name="Uptime", comparator=">", target=Decimal("99.9"))
    busy = factories.MetricFactory(plan=plan, name="Requests per second", unit="", target=None, comparator="")
    latency = factories.MetricFactory(plan=plan, name="Latency", unit="ms", comparator="<", target=Decimal("500"))
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms for 45 minutes", metric=latency, comparator=">",
        threshold=Decimal("1000"), sustained_for=timedelta(minutes=45),
    )  # fmt: skip
    MetricReading.objects.create(metric=quiet, value=Decimal("99.95"), recorded_at=NOON - timedelta(hours=2))
    # Latency above its threshold every 5 s for the last 50 minutes: 600 readings, all crossing.
    MetricReading.objects.bulk_create(
        MetricReading(metric=latency, value=Decimal("1500"), recorded_at=NOON - timedelta(seconds=5 * i))
        for i in range(600)
    )
    # Requests every 2 s for the last 30 minutes: 900 readings, newer than most of the others.
    MetricReading.objects.bulk_create(
        MetricReading(metric=busy, value=Decimal(i), recorded_at=NOON - timedelta(seconds=2 * i)) for i in range(900)
    )
    rows, states = selectors.metrics(plan, NOON)
    latest = {row["metric"].name: row["latest"] for row in rows}
    assert latest["Uptime"] is not None and latest["Uptime"].value == Decimal("99.95")
    assert latest["Requests per second"].recorded_at == NOON
    (state,) = states
    assert state.trigger == trigger
    assert state.crossing_since == NOON - timedelta(seconds=5 * 599)
    assert state.in_breach  # crossing for 49 min 55 s, more than its 45 minutes


@pytest.mark.django_db
def test_readings_of_a_resolved_alerts_run_judge_no_trigger_on_the_page(plan: Plan) -> None:
    """An alert that fed the readings resolved (``run_ended_at``): the service cleared the alarm, and the page
    says so too instead of judging the trigger on the run's last value again."""
    latency = factories.MetricFactory(plan=plan, name="Latency", unit="ms", comparator="<", target=Decimal("500"))
    RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms for 5 minutes", metric=latency, comparator=">",
        threshold=Decimal("1000"), sustained_for=timedelta(minutes=5),
    )  # fmt: skip
    for minutes in (20, 15, 10):
        MetricReading.objects.create(metric=latency, value=Decimal(1500), recorded_at=NOON - timedelta(minutes=minutes))
    (state,) = selectors.metrics(plan, NOON)[1]
    assert state.in_breach
    latency.run_ended_at = NOON - timedelta(minutes=9)
    latency.save(update_fields=["run_ended_at"])
    rows, (state,) = selectors.metrics(plan, NOON)
    assert not state.in_breach and not state.breaching
    assert rows[0]["latest"].value == Decimal("1500")  # the last reading is still what the dashboard said


def test_the_metrics_page_reads_in_a_fixed_number_of_queries(
    plan: Plan, client: Client, django_assert_num_queries: Any
) -> None:
    sre = factories.UserFactory(username="sre")
    factories.RoleFactory(plan=plan, name="SRE", primary=sre)
    for n in range(4):
        metric = factories.MetricFactory(plan=plan, name=f"Metric {n}")
        RollbackTrigger.objects.create(
            plan=plan, description=f"Trigger {n}", metric=metric, comparator=">", threshold=Decimal("1"),
            sustained_for=timedelta(minutes=5),
        )  # fmt: skip
        MetricReading.objects.bulk_create(
            MetricReading(metric=metric, value=Decimal(i), recorded_at=NOON - timedelta(minutes=i), recorded_by=sre)
            for i in range(20)
        )
    client.force_login(sre)
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("warroom:metrics", args=[plan.slug])).status_code == 200
