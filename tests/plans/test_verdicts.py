"""The board's and the metrics page's verdicts, worked out from a summary of each window (plans.verdicts), agree
with the review's, worked out from every reading (plans.criteria.MetricRun.verdict): on any readings, target,
comparator, measure and moment, and through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from plans.criteria import Reading, metric_run
from plans.metric_runs import plan_metric_runs
from plans.models import MetricReading
from plans.verdicts import Summary, plan_criteria, plan_verdicts, summary_verdict
from tests import factories
from tests.conftest import fuzz_examples

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
VALUES = st.decimals(min_value=-5, max_value=5, places=2, allow_nan=False, allow_infinity=False)
WINDOWS = ["", "first hour", "first 24 hours", "p95"]


@hsettings(max_examples=fuzz_examples(300), deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(-120, 1600), VALUES), max_size=12),
    comparator=st.sampled_from(["<", "<=", ">", ">=", "="]),
    target=st.one_of(st.none(), VALUES),
    measure=st.sampled_from(["every", "mean", "latest"]),
    window=st.sampled_from(WINDOWS),
    now_minutes=st.integers(0, 2000),
)
def test_the_summary_verdict_is_the_verdict_over_every_reading(
    values: list[tuple[int, Decimal]], comparator: str, target: Decimal | None, measure: str, window: str,
    now_minutes: int,
) -> None:  # fmt: skip
    readings = [Reading(T0 + timedelta(minutes=m), v) for m, v in values]
    now = T0 + timedelta(minutes=now_minutes)
    run = metric_run(
        name="m", category="", unit="", comparator=comparator, target=target, window_text=window, t0=T0,
        readings=readings, measure=measure, now=now,
    )  # fmt: skip
    inside = sorted(
        (r for r in readings if r.at >= T0 and (run.window_end is None or r.at < run.window_end)), key=lambda r: r.at
    )
    summary = Summary(
        count=len(inside),
        lowest=min((r.value for r in inside), default=None),
        highest=max((r.value for r in inside), default=None),
        total=sum((r.value for r in inside), Decimal(0)) if inside else None,
        latest=inside[-1].value if inside else None,
    )
    verdict = summary_verdict(
        comparator=comparator, target=target, measure=measure, summary=summary, window_open=run.window_open
    )
    assert verdict == run.verdict


@pytest.mark.django_db
def test_the_databases_verdicts_are_the_reviews(plan: object) -> None:
    from plans.models import Plan

    assert isinstance(plan, Plan)
    plan.t0 = T0
    plan.save(update_fields=["t0"])
    cases = [  # name, comparator, target, measure, window, readings (minutes after T-0, value)
        ("every met", "<", "1", "every", "first hour", [(-30, "9"), (5, "0.5"), (59, "0.9"), (70, "3")]),
        ("every open", "<", "1", "every", "first 24 hours", [(5, "0.5")]),
        ("every broken", "<", "1", "every", "", [(5, "0.5"), (60, "1.5"), (90, "0.2")]),
        ("mean over", ">=", "100", "mean", "first hour", [(1, "90"), (2, "120"), (61, "0")]),
        ("latest open", ">", "500", "latest", "first week", [(10, "400"), (20, "600")]),
        ("latest over", ">", "500", "latest", "first hour", [(10, "600"), (50, "400"), (70, "900")]),
        ("no data", "=", "0", "every", "first hour", [(-5, "0"), (61, "0")]),
        ("equal", "=", "0", "every", "", [(1, "0"), (2, "0")]),
    ]
    metrics = []
    for order, (name, comparator, target, measure, window, readings) in enumerate(cases):
        metric = factories.MetricFactory(
            plan=plan, name=name, comparator=comparator, target=Decimal(target), measure=measure, window=window,
            order=order,
        )  # fmt: skip
        MetricReading.objects.bulk_create(
            MetricReading(metric=metric, value=Decimal(v), recorded_at=T0 + timedelta(minutes=m)) for m, v in readings
        )
        metrics.append(metric)
    now = T0 + timedelta(hours=2)
    review = {m.name: r.verdict for m, r in zip(metrics, plan_metric_runs(plan, now=now, metrics=metrics), strict=True)}
    board = {m.name: v for m, v in zip(metrics, plan_verdicts(plan, metrics, now=now).values(), strict=True)}
    assert board == review
    runs = plan_metric_runs(plan, now=now, metrics=metrics)
    summed = plan_criteria(plan, metrics, now=now)
    assert [(c.name, c.value, c.summary.count) for c in summed] == [(r.name, r.value, r.count) for r in runs]
    assert review == {
        "every met": "met", "every open": "open", "every broken": "not_met", "mean over": "met", "latest open": "open",
        "latest over": "not_met", "no data": "no_data", "equal": "met",
    }  # fmt: skip
