"""Success metrics: judging rollback triggers against their readings (recording a reading and
raising or clearing triggers are services: plans.services.reading_record, triggers_evaluate).

A metric-bound rollback trigger (``error rate > 1 % for 10 min``) is *breaching* while the latest
readings cross its threshold, and *in breach* (an alarm: roll back) once the uninterrupted run of
crossing readings has lasted ``sustained_for`` (no duration: at once). A reading back inside the
threshold ends the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import attrgetter, or_
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import MetricReading, RollbackTrigger, SuccessMetric, compare
from .permissions import can_coordinate

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .models import Plan
    from .permissions import Viewer


AUTO_REASON = "Automatic: "

#: Units of quantities that cannot be below zero: a time, a share ("%", "% positive"), a score ("/5.0").
_TIME_UNITS = {"ms", "s", "sec", "secs", "seconds", "min", "mins", "minutes", "h", "hr", "hrs", "hours", "d", "days"}
#: Words in a metric's name that make a negative reading real: a change, not a level.
_SIGNED_WORDS = ("change", "delta", "diff", "growth", "drift", "variance", "trend", "net ")


def check_reading_sign(metric: SuccessMetric, amount: Decimal) -> None:
    """A reading below zero of a time, a share or a score is a typo (an error rate of -5 % would meet
    "< 0.1 %"): refused, unless the metric measures a change ("conversion change", a negative target)."""
    from .validators import BoundsError

    if amount >= 0 or (metric.target is not None and metric.target < 0):
        return
    unit, name = metric.unit.strip().lower(), f"{metric.name.lower()} "
    if any(word in name for word in _SIGNED_WORDS):
        return
    if unit in _TIME_UNITS or unit.startswith(("%", "/")) or unit in ("users", "requests", "errors", "tickets"):
        raise BoundsError(f"{metric.name} cannot be below zero ({unit}); check the reading.")


def can_record(user: Viewer | None, plan: Plan) -> bool:
    """Role holders of the plan and its coordinator may record readings."""
    from roles.permissions import holds_any_role

    return can_coordinate(user, plan) or holds_any_role(user, plan.pk)


@dataclass(frozen=True)
class TriggerState:
    trigger: RollbackTrigger
    crossing_since: datetime | None  # start of the current run of readings that cross the threshold
    in_breach: bool  # the run has lasted sustained_for (or the trigger was raised by hand)
    latest: Decimal | None

    @property
    def breaching(self) -> bool:
        return self.crossing_since is not None

    @property
    def alarm_at(self) -> datetime | None:
        """When the current run of crossing readings becomes an alarm (while breaching)."""
        if self.crossing_since is None:
            return None
        return self.crossing_since + (self.trigger.sustained_for or timedelta(0))

    def remaining(self, now: datetime) -> timedelta | None:
        """How long the run must still last before the alarm, while breaching but not yet in breach."""
        if self.crossing_since is None or self.in_breach:
            return None
        return self.crossing_since + (self.trigger.sustained_for or timedelta(0)) - now


def trigger_state(
    trigger: RollbackTrigger, readings: Iterable[MetricReading], *, now: datetime | None = None
) -> TriggerState:
    """Judge one trigger. ``readings`` are its metric's readings, newest first (any window that
    reaches back past ``sustained_for`` is enough)."""
    now = now or timezone.now()
    manual = trigger.raised_at is not None and not trigger.raised_reason.startswith(AUTO_REASON)
    if trigger.metric_id is None or trigger.threshold is None or not trigger.comparator:
        return TriggerState(trigger, None, manual, None)
    if not watched_at(trigger, now):
        return TriggerState(trigger, None, manual, None)
    since: datetime | None = None
    latest: Decimal | None = None
    for reading in readings:
        if latest is None:
            latest = reading.value
        if not compare(float(reading.value), trigger.comparator, float(trigger.threshold)):
            break
        since = reading.recorded_at
    sustained = trigger.sustained_for or timedelta(0)
    in_breach = manual or (since is not None and now - since >= sustained)
    return TriggerState(trigger, since, in_breach, latest)


def watched_at(trigger: RollbackTrigger, moment: datetime) -> bool:
    """Inside the trigger's window relative to T-0 ("in the first hour": ``T+0`` to ``T+1h``); no window:
    always. Outside it, readings never raise the trigger."""
    if trigger.window_start is None and trigger.window_end is None:
        return True
    plan = trigger.plan  # window offsets placed like every other offset (Plan.at: whole days on the calendar)
    return (trigger.window_start is None or moment >= plan.at(trigger.window_start)) and (
        trigger.window_end is None or moment <= plan.at(trigger.window_end)
    )


def off_target(metric: SuccessMetric) -> Q | None:
    """The readings of ``metric`` that miss its target, as a condition (None for a metric without one)."""
    if metric.target is None or not metric.comparator:
        return None
    target = metric.target
    return {
        "<": Q(value__gte=target),
        "<=": Q(value__gt=target),
        ">": Q(value__lte=target),
        ">=": Q(value__lt=target),
        "=": ~Q(value=target),
    }[metric.comparator]


def readings_for_window(metric: SuccessMetric, *, now: datetime, window: timedelta) -> list[MetricReading]:
    """Newest first: the readings inside the window plus the one just before it (the run's start may
    lie before the window). Readings at or before the metric's ``run_ended_at`` (an alert that fed them
    resolved, ``plans.services.reading_run_end``) are left out: that run is over, whatever its last value."""
    readings = metric.readings.all()
    ended = metric.run_ended_at
    if ended is not None and ended <= now:
        readings = readings.filter(recorded_at__gt=ended)
    inside = list(readings.filter(recorded_at__gte=now - window).order_by("-recorded_at", "-id"))
    before = readings.filter(recorded_at__lt=now - window).order_by("-recorded_at", "-id")[:200]
    return inside + list(before)


def latest_reading(field: str = "value") -> Subquery:
    """``field`` of the metric's latest reading, to annotate a metrics queryset with (``OuterRef("pk")``): each
    metric's latest without reading the others."""
    newest = MetricReading.objects.filter(metric=OuterRef("pk")).order_by("-recorded_at", "-id")
    return Subquery(newest.values(field)[:1])


def newest_readings(
    groups: Mapping[int, Q], n: int, *, related: tuple[str, ...] = ()
) -> dict[int, list[MetricReading]]:
    """For each metric id of ``groups``, its newest ``n`` readings that meet its condition (which names the
    metric), newest first (:func:`first_readings`)."""
    return first_readings(groups, n, related=related)


def first_readings(
    groups: Mapping[int, Q],
    n: int,
    *,
    order: tuple[str, ...] = ("-recorded_at", "-id"),
    related: tuple[str, ...] = (),
) -> dict[int, list[MetricReading]]:
    """For each metric id of ``groups``, the first ``n`` readings by ``order`` (fields, ``-`` for descending;
    newest first by default) that meet its condition (which names the metric), in that order. One query: on
    PostgreSQL a ``UNION ALL`` of each metric's first, an index scan each for the newest; elsewhere (SQLite) a
    window function ranking them, which sorts every reading that meets the conditions (150 ms, spilling to disk,
    for a week of readings every 10 s of four metrics: bench/readings.py)."""
    out: dict[int, list[MetricReading]] = {pk: [] for pk in groups}
    if not groups:
        return out
    ordered = MetricReading.objects.select_related(*related).order_by(*order)
    rows: Iterable[MetricReading]
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [ordered.filter(q)[:n] for q in groups.values()]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    else:
        by = [F(f[1:]).desc() if f.startswith("-") else F(f).asc() for f in order]
        rows = (
            ordered.filter(reduce(or_, groups.values()))
            .annotate(rank=Window(RowNumber(), partition_by=[F("metric_id")], order_by=by))
            .filter(rank__lte=n)
        )
    for reading in rows:
        out[reading.metric_id].append(reading)
    for readings in out.values():
        for field in reversed(order):  # stable sorts, the last key first: the order's keys, each its way
            name = "pk" if field.lstrip("-") == "id" else field.lstrip("-")
            readings.sort(key=attrgetter(name), reverse=field.startswith("-"))
    return out
