#!/usr/bin/env python
"""Monitoring-fed metrics benchmark (``make bench``): a launch an hour past T-0 whose metrics a monitoring
push has fed every 10 s for a week (60,480 readings each, 241,920 in all), then what reads them at every change.

Prints p50/p95 (in this process, no server) and the queries of
  1. the board's data (warroom.selectors.board: the metrics panel, its arrows, the criteria's verdicts);
  2. the metrics page's rows and trigger states (warroom.readings.metrics);
  3. a status update's figures (communications.compose.status_snapshot);
  4. recording one reading (plans.services.reading_record: the triggers judged on their span);
  5. the post-launch week's data (its criteria from each window's summary) and the review's (each window's
     summary, and each chart column's first, lowest, highest and last reading: plans.metric_runs), then the
     review's charts drawn from them, and the review the comparison of launches reads (no charts' points).

Environment as bench/warroom.py (its own database ``launchcontrol_bench_readings``, Redis db 15).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import benchenv
from benchenv import ensure_database

RUNS = 10
EVERY_SECONDS = 10
DAYS = 7


def build_plan() -> Any:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from launch.services.sample import build_sample_plan
    from plans.models import MetricReading, Plan, PlanStatus, SuccessMetric

    plan = build_sample_plan("bench-readings", items=120, roles=12, steps=40, issues=6)
    now = timezone.now()
    Plan.objects.filter(pk=plan.pk).update(t0=now - timedelta(hours=1), status=PlanStatus.LAUNCHED)
    plan.refresh_from_db()
    SuccessMetric.objects.filter(plan=plan).update(window="first week")
    count = DAYS * 86400 // EVERY_SECONDS
    for metric in SuccessMetric.objects.filter(plan=plan):
        base = Decimal(str(metric.target or 1)) / 2
        MetricReading.objects.bulk_create(
            (
                MetricReading(metric=metric, value=base, recorded_at=now - timedelta(seconds=EVERY_SECONDS * i))
                for i in range(count)
            ),
            batch_size=5000,
        )
    return plan


def measure(name: str, action: Callable[[], Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        action()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{name:<44} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  {len(ctx.captured_queries)} queries")


def main() -> None:
    env = benchenv.configure(
        database="launchcontrol_bench_readings",
        prefix="lc-bench-readings",
        allowed_hosts="127.0.0.1,localhost",
        log_level="WARNING",
    )
    ensure_database(env["DATABASE_URL"])
    root = benchenv.ROOT
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=root, env=env, check=True)
    import django

    django.setup()
    from django.utils import timezone

    from communications.compose import status_snapshot
    from plans.models import MetricReading, SuccessMetric
    from plans.services import reading_record
    from review.postweek import post_week
    from review.report.context import charts
    from review.selectors import plan_review
    from warroom import readings, selectors

    plan = build_plan()
    metric = SuccessMetric.objects.filter(plan=plan).order_by("order").first()
    assert metric is not None and plan.coordinator is not None
    total = MetricReading.objects.filter(metric__plan=plan).count()
    print()
    print(f"Readings benchmark · {total:,} readings ({DAYS} days every {EVERY_SECONDS} s per metric) · "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    measure("board data (selectors.board)", lambda: selectors.board(plan, now=timezone.now()))
    measure("metrics page rows (readings.metrics)", lambda: readings.metrics(plan, timezone.now()))
    measure("status update figures (status_snapshot)", lambda: status_snapshot(plan))
    measure("record a reading (reading_record)", lambda: reading_record(metric, value="0.05", by=plan.coordinator))
    measure("post-launch week (review.postweek.post_week)", lambda: post_week(plan, now=timezone.now()))
    measure("the review (review.selectors.plan_review)", lambda: plan_review(plan, now=timezone.now()))
    review = plan_review(plan, now=timezone.now())
    measure("the review's charts (report.context.charts)", lambda: charts(review))
    measure("a launch compared (plan_review, no charts)", lambda: plan_review(plan, now=timezone.now(), charts=False))


if __name__ == "__main__":
    main()
