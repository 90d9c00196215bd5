"""The review's metrics over their windows (:class:`plans.criteria.MetricRun`), read from the database without
reading every reading: a metric fed by monitoring every 10 s has 60,480 readings a week, and the review took
4.7 s (and the comparison of launches that much a launch) loading four such metrics' to count them, judge them
and draw a few hundred points of each.

A metric with few readings (at most two a chart column) is read whole and summed up in Python
(:func:`plans.criteria.metric_run`). A busy one is summed up by the database: its window's count, readings off
target and sum in one query with every metric's, its window's latest and worst reading through
:func:`plans.metrics.first_readings`, and the chart's points (each column's first, lowest, highest and last
reading, the columns worked out as :func:`plans.criteria.chart_column` does) in a query of its own. The two
give the same run (tests/plans/test_metric_runs.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, Count, F, FloatField, Func, Max, Min, Q, Sum, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Floor, RowNumber

from . import criteria
from .criteria import MetricRun, Reading, chart_axis, chart_scale, metric_run
from .metrics import first_readings, off_target
from .models import MetricReading
from .verdicts import _dec, _inside, _window

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Plan, SuccessMetric

Windows = dict[int, tuple[datetime, datetime | None]]  # metric id: its window's start and end (None: no end)
Found = dict[int, list[MetricReading]]


class SqliteEpoch(Func):
    """Seconds since the epoch of a moment on SQLite, as ``datetime.timestamp`` gives them: the whole seconds by
    ``strftime``, then the microseconds of the stored text ("YYYY-MM-DD HH:MM:SS[.ffffff]"; ``julianday`` would
    round them)."""

    output_field = FloatField()
    template = (
        "((CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000"
        " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER)) / 1000000.0)"
    )


def _off_target(metric: SuccessMetric) -> Q:
    """The readings of ``metric`` that miss its target (it has one)."""
    return Q(metric_id=metric.pk) & (off_target(metric) or Q())


def _worst_order(comparator: str) -> tuple[str, ...]:
    """How the database finds :func:`plans.criteria._worst`: the lowest, the highest (the earliest of equals),
    or for ``=`` the earliest (of those off target, if any)."""
    if comparator in (">", ">="):
        return ("value", "recorded_at", "id")
    if comparator in ("<", "<="):
        return ("-value", "recorded_at", "id")
    return ("recorded_at", "id")


def _picked_postgresql(scales: dict[int, tuple[float, float]]) -> QuerySet[MetricReading]:
    """Each chart column's first, last, lowest and highest reading (the earliest of equals), found in one pass
    that sorts nothing: each column's least and greatest (moment, id) and (value, moment, id) arrays, whose ids
    pick the readings. ``date_part`` gives a moment's seconds as ``datetime.timestamp`` does (its microseconds
    over a million, in floating point)."""
    values = ", ".join(["(%s::bigint, %s::float8, %s::float8)"] * len(scales))
    params: list[Any] = [criteria.CHART_COLUMNS]
    for pk, (lo, hi) in scales.items():
        params += [pk, lo, hi - lo]
    ids = f"""
        SELECT unnest(ARRAY[
            (MIN(ARRAY[e, i]))[2], (MAX(ARRAY[e, i]))[2], (MIN(ARRAY[v, e, i]))[3], -(MAX(ARRAY[v, -e, -i]))[3]
        ])::bigint
        FROM (
            SELECT r.metric_id AS m, r.id::float8 AS i, r.value::float8 AS v, date_part('epoch', r.recorded_at) AS e,
                   floor((date_part('epoch', r.recorded_at) - s.lo) * %s / s.span) AS c
            FROM {MetricReading._meta.db_table} r
            JOIN (VALUES {values}) AS s (metric_id, lo, span) ON r.metric_id = s.metric_id
        ) AS t
        GROUP BY m, c"""  # noqa: S608 (the table's name and placeholders only)
    return MetricReading.objects.filter(id__in=RawSQL(ids, params))  # noqa: S611 (every value a parameter)


def _picked_elsewhere(scales: dict[int, tuple[float, float]]) -> QuerySet[MetricReading]:
    """The same readings on SQLite, ranked in each column by window functions (four sorts of every reading)."""

    def each(values: dict[int, float]) -> Case:
        return Case(*(When(metric_id=pk, then=Value(v)) for pk, v in values.items()), output_field=FloatField())

    lo = each({pk: first for pk, (first, _) in scales.items()})
    span = each({pk: last - first for pk, (first, last) in scales.items()})
    column = Floor((SqliteEpoch("recorded_at") - lo) * Value(criteria.CHART_COLUMNS) / span)

    def rank(*order: Any) -> Window:
        return Window(RowNumber(), partition_by=[F("metric_id"), F("column")], order_by=list(order))

    return (
        MetricReading.objects.filter(metric_id__in=list(scales))
        .annotate(column=column)
        .annotate(
            first=rank(F("recorded_at").asc(), F("id").asc()),
            last=rank(F("recorded_at").desc(), F("id").desc()),
            lowest=rank(F("value").asc(), F("recorded_at").asc(), F("id").asc()),
            highest=rank(F("value").desc(), F("recorded_at").asc(), F("id").asc()),
        )
        .filter(Q(first=1) | Q(last=1) | Q(lowest=1) | Q(highest=1))
    )


def _points(scales: dict[int, tuple[float, float]]) -> dict[int, list[Reading]]:
    """Busy metrics' chart points, each on its own scale (metric id: first and last second of its chart): each
    column's first, lowest, highest and last reading, oldest first. One query."""
    out: dict[int, list[Reading]] = {pk: [] for pk in scales}
    if not scales:
        return out
    postgresql = connection.vendor == "postgresql"
    picked = _picked_postgresql(scales) if postgresql else _picked_elsewhere(scales)
    rows = picked.order_by("metric_id", "recorded_at", "id").values_list("metric_id", "recorded_at", "value")
    for pk, at, value in rows:
        out[pk].append(Reading(at, value))
    return out


def _sums(chosen: list[SuccessMetric], windows: Windows) -> dict[int, dict[str, Any]]:
    """Each metric's readings in all (and the first and last moment), and its window's count, sum and readings
    off target. One query."""
    inside = reduce(or_, (_inside(pk, start, end) for pk, (start, end) in windows.items()))
    sums: dict[str, Any] = {
        "every": Count("id"),
        "first": Min("recorded_at"),
        "last": Max("recorded_at"),
        "n": Count("id", filter=inside),
        "total": Sum("value", filter=inside),
    }
    off = [_off_target(m) for m in chosen if m.target is not None and m.comparator]
    if off:
        sums["off"] = Count("id", filter=inside & reduce(or_, off))
    rows = MetricReading.objects.filter(metric__in=list(windows)).values("metric_id").annotate(**sums).order_by()
    return {r["metric_id"]: dict(r) for r in rows}


def _ends(busy: list[SuccessMetric], windows: Windows, sums: dict[int, dict[str, Any]]) -> tuple[Found, Found]:
    """The latest and the worst reading of each busy metric's window (:func:`plans.criteria._worst`). One query,
    and one for each kind of worst (the lowest, the highest, the earliest)."""
    counted = [m for m in busy if sums[m.pk]["n"]]
    latest = first_readings({m.pk: _inside(m.pk, *windows[m.pk]) for m in counted}, 1)
    kinds: dict[tuple[str, ...], dict[int, Q]] = {}
    for m in counted:
        if m.target is None or not m.comparator:
            continue
        q = _inside(m.pk, *windows[m.pk])
        if m.comparator == "=" and sums[m.pk].get("off"):
            q &= _off_target(m)
        kinds.setdefault(_worst_order(m.comparator), {})[m.pk] = q
    worst: Found = {}
    for order, groups in kinds.items():
        worst |= first_readings(groups, 1, order=order)
    return latest, worst


def plan_metric_runs(
    plan: Plan, *, now: datetime | None, metrics: Sequence[SuccessMetric] | None = None, charts: bool = True
) -> list[MetricRun]:
    """Every metric of ``plan`` (or those of ``metrics``, in their order) over its window as of ``now``. Two
    queries (one more for the metrics when they are not given); with busy metrics, one for their latest readings,
    one for each kind of worst reading (at most three), and with ``charts`` one for their charts' points (without,
    a busy metric has none: the comparison of launches reads only the verdicts)."""
    chosen = list(metrics) if metrics is not None else list(plan.metrics.order_by("order", "pk"))
    if not chosen:
        return []
    windows = {m.pk: _window(plan, m) for m in chosen}
    sums = _sums(chosen, windows)
    busy = [m for m in chosen if m.pk in sums and sums[m.pk]["every"] > 2 * criteria.CHART_COLUMNS]
    whole: dict[int, list[Reading]] = {}
    few = set(sums) - {m.pk for m in busy}  # read whole (at most two readings a chart column)
    if few:
        ordered = MetricReading.objects.filter(metric__in=few).order_by("recorded_at", "id")
        for mid, at, value in ordered.values_list("metric_id", "recorded_at", "value"):
            whole.setdefault(mid, []).append(Reading(at, value))
    scales = {}
    for m in busy:
        start, end = windows[m.pk]
        first, last = sums[m.pk]["first"], sums[m.pk]["last"]
        scales[m.pk] = chart_scale(*chart_axis(first, last, window_start=start, window_end=end, now=now or last))
    points = _points(scales) if charts else {pk: [] for pk in scales}
    latest, worst = _ends(busy, windows, sums)

    def reading(rows: list[MetricReading]) -> Reading | None:
        return Reading(rows[0].recorded_at, rows[0].value) if rows else None

    runs = []
    for m in chosen:
        said: dict[str, Any] = {"name": m.name, "category": m.category, "unit": m.unit, "window_text": m.window}
        said |= {"comparator": m.comparator, "target": m.target, "measure": m.measure or "every", "now": now}
        if m.pk not in scales:
            runs.append(metric_run(**said, t0=plan.t0, readings=whole.get(m.pk, [])))
            continue
        r = sums[m.pk]
        start, end = windows[m.pk]
        summed = {"count": r["n"], "off": r.get("off") or 0, "total": _dec(r["total"]), "every": r["every"]}
        runs.append(
            MetricRun(
                **said,
                **summed,
                window_start=start,
                window_end=end,
                latest=reading(latest.get(m.pk, [])),
                worst=reading(worst.get(m.pk, [])),
                points=tuple(points[m.pk]),
            )
        )
    return runs
