"""The review's metrics read from the database (plans.metric_runs) are the metrics summed up from every reading
(plans.criteria.metric_run): the same counts, readings off target, sum, latest and worst reading, verdict and
chart, for a metric with few readings (read whole) and a busy one (summed up and thinned by the database)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from plans import criteria
from plans.criteria import Reading, chart_axis, chart_scale, metric_run
from plans.metric_runs import plan_metric_runs
from plans.models import MetricReading, Plan
from review import charts
from review.charts import _thinned, metric_chart
from tests import factories

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOWS = ["", "first hour", "first 24 hours", "p95"]


class Rollback(Exception):
    pass


def _case(rng: random.Random) -> tuple[str, Decimal | None, str, str, list[Reading], datetime]:
    """A metric's comparator, target, measure and window, its readings (some at the same moment, some of the
    same value, some before T-0 or after the window) and the moment it is read. Values are quarters: their sums
    are exact in floating point too (SQLite sums a decimal column as one)."""
    quarter = [Decimal(q) / 4 for q in range(-8, 9)]
    comparator = rng.choice(["<", "<=", ">", ">=", "="])
    target = rng.choice([None, *quarter])
    measure, window = rng.choice(["every", "mean", "latest"]), rng.choice(WINDOWS)
    moments = [T0 + timedelta(seconds=rng.randrange(-3600, 30 * 3600), microseconds=rng.randrange(10**6))]
    for _ in range(rng.randrange(0, 60)):
        later = timedelta(seconds=rng.randrange(-7200, 90_000), microseconds=rng.randrange(10**6))
        moments.append(rng.choice(moments) if rng.random() < 0.2 else moments[0] + later)
    readings = [Reading(at, rng.choice(quarter)) for at in moments]
    return comparator, target, measure, window, readings, T0 + timedelta(minutes=rng.randrange(0, 2000))


@pytest.mark.django_db
@pytest.mark.parametrize("columns", [3, criteria.CHART_COLUMNS], ids=["busy", "few"])
def test_the_database_sums_up_a_metric_as_every_reading_does(
    plan: Plan, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """With 3 chart columns a metric of more than 6 readings is busy (summed up by the database); with the
    chart's 522, none of these is."""
    monkeypatch.setattr(criteria, "CHART_COLUMNS", columns)
    monkeypatch.setattr(charts, "CHART_COLUMNS", columns)
    plan.t0 = T0
    plan.save(update_fields=["t0"])
    rng = random.Random(20261201)
    busy = 0
    for _ in range(80):
        comparator, target, measure, window, readings, now = _case(rng)
        pure = metric_run(
            name="m", category="", unit="", comparator=comparator, target=target, window_text=window, t0=T0,
            readings=readings, measure=measure, now=now,
        )  # fmt: skip
        busy += len(readings) > 2 * columns
        try:
            with transaction.atomic():
                metric = factories.MetricFactory(
                    plan=plan, name="m", comparator=comparator, target=target, measure=measure, window=window
                )
                MetricReading.objects.bulk_create(
                    MetricReading(metric=metric, value=r.value, recorded_at=r.at) for r in readings
                )
                (read,) = plan_metric_runs(plan, now=now, metrics=[metric])
                raise Rollback
        except Rollback:
            pass
        case = (comparator, target, measure, window, len(readings))
        assert read.verdict == pure.verdict, case
        assert (read.count, read.off, read.every, read.value) == (pure.count, pure.off, pure.every, pure.value), case
        assert (read.latest, read.worst, read.total) == (pure.latest, pure.worst, pure.total), case
        first, last = min(r.at for r in readings), max(r.at for r in readings)
        start, end = chart_axis(first, last, window_start=T0, window_end=pure.window_end, now=now)
        drawn = _thinned(pure, *chart_scale(start, end))
        assert list(read.points) == drawn, case  # the database's points are what the chart draws of every reading
        label = lambda d: d.isoformat()  # noqa: E731
        assert metric_chart(read, label=label, now=now) == metric_chart(pure, label=label, now=now), case
    assert busy > 40 if columns == 3 else busy == 0


@pytest.mark.django_db
def test_a_week_of_readings_is_summed_up_by_the_database(plan: Plan) -> None:
    """A week of readings every 100 s (6,048; a monitoring feed every 10 s has ten times as many) with one spike
    off target: counted, judged and drawn from the points the database picks, the spike among them, red. Without
    charts (the comparison of launches) the same figures, no points, one query fewer."""
    plan.t0 = T0
    plan.save(update_fields=["t0"])
    metric = factories.MetricFactory(
        plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), window="first week"
    )
    rows = [
        MetricReading(metric=metric, value=Decimal("0.05"), recorded_at=T0 + timedelta(seconds=100 * i))
        for i in range(6_048)
    ]
    rows[3_000].value = Decimal("7.5")
    MetricReading.objects.bulk_create(rows, batch_size=5000)
    now = T0 + timedelta(days=8)
    with CaptureQueriesContext(connection) as drawn:
        (run,) = plan_metric_runs(plan, now=now)
    assert (run.every, run.count, run.off, run.verdict) == (6_048, 6_048, 1, "not_met")
    assert run.worst == Reading(T0 + timedelta(seconds=300_000), Decimal("7.5"))
    assert run.latest == Reading(T0 + timedelta(seconds=604_700), Decimal("0.05"))
    assert 500 < len(run.points) <= 4 * (criteria.CHART_COLUMNS + 1)
    assert run.points[0].at == T0 and run.points[-1].at == run.latest.at
    svg = metric_chart(run, label=lambda d: f"{d:%a %H:%M}", now=now)
    assert svg.count('fill="#c0262d"') == 1 and "7.5 at" in svg and "6,048 readings" in svg
    with CaptureQueriesContext(connection) as verdicts:
        (bare,) = plan_metric_runs(plan, now=now, charts=False)
    assert (bare.every, bare.count, bare.off, bare.verdict, bare.worst, bare.latest) == (
        run.every, run.count, run.off, run.verdict, run.worst, run.latest
    )  # fmt: skip
    assert bare.points == () and len(verdicts.captured_queries) == len(drawn.captured_queries) - 1
