"""Metrics against their targets over their windows: the success criteria (the review, the post-launch
page and the board read them; ``review.figures.metrics`` is this module under its old name).

A metric's ``window`` is the plan author's words ("first 24 hours", "first week", "first month"). Those
that name a span from the launch are read as one: **from T-0 for that long** (:func:`window_span`). Any
other words ("p95", "average", "during launch period") name no span, and the window is every reading
from T-0 on. Readings before T-0 (rehearsals, baselines) are outside every window.

A success criterion (a metric with a target) reads its window by its ``measure``: ``every`` (the default)
is **met** when every reading in its window meets the target and **not met** as soon as one does not;
``mean`` and ``latest`` ("adoption >= 500 users by the end of the first week") compare the mean or the
latest reading of the window once it is over. A criterion whose window is not over yet (at ``now``) and
that nothing has failed yet is **open**; one with no reading in a window that is over has **no data**.
The review, the post-launch page and the board show the verdict, the worst and the latest reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Plan, SuccessMetric

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}
_UNIT = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}
_SPAN_RE = re.compile(r"\bfirst\s+(?:(\d+|one|two|three|four|five|six|seven|a|an)\s+)?(minute|hour|day|week|month)s?\b")


def window_span(text: str) -> timedelta | None:
    """``"first 24 hours"`` -> 24 h, ``"first week"`` -> 7 days, ``"first month"`` -> 30 days; words
    that name no span from the launch -> ``None``. The first span named wins."""
    match = _SPAN_RE.search((text or "").lower())
    if match is None:
        return None
    count = match.group(1) or "1"
    number = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    return timedelta(seconds=number * _UNIT[match.group(2)])


def _compare(value: Decimal, comparator: str, target: Decimal) -> bool:
    return {
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
        "=": value == target,
    }[comparator]


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: Decimal


@dataclass(frozen=True)
class MetricRun:
    name: str
    category: str
    unit: str
    comparator: str
    target: Decimal | None
    window_text: str
    window_start: datetime
    window_end: datetime | None  # None: open (no span named)
    readings: tuple[Reading, ...]  # in the window, oldest first
    all_readings: tuple[Reading, ...]  # every reading, oldest first (the chart)
    measure: str = "every"  # every | mean | latest
    now: datetime | None = None  # None: every window is over (no "open" verdict)

    @property
    def criterion(self) -> bool:
        return self.target is not None and bool(self.comparator)

    def meets(self, value: Decimal) -> bool | None:
        if self.target is None or not self.comparator:
            return None
        return _compare(value, self.comparator, self.target)

    @property
    def out_of_range(self) -> list[Reading]:
        return [r for r in self.readings if self.meets(r.value) is False]

    @property
    def window_open(self) -> bool:
        """The window is not over at ``now`` (an open-ended window is never over, nor "open")."""
        return self.now is not None and self.window_end is not None and self.now < self.window_end

    @property
    def value(self) -> Decimal | None:
        """What the measure compares: the mean or the latest reading of the window (``every``: the worst)."""
        if not self.readings:
            return None
        if self.measure == "mean":
            return sum((r.value for r in self.readings), Decimal(0)) / len(self.readings)
        if self.measure == "latest":
            return self.readings[-1].value
        worst = self.worst
        return worst.value if worst is not None else None

    @property
    def verdict(self) -> str:
        """``met``, ``not_met``, ``open`` (window not over), ``no_data`` or ``tracked`` (no target)."""
        if not self.criterion:
            return "tracked"
        if self.measure == "every" and self.out_of_range:
            return "not_met"
        if self.window_open:
            return "open"
        if not self.readings:
            return "no_data"
        value = self.value
        return "met" if value is not None and self.meets(value) else "not_met"

    @property
    def latest(self) -> Reading | None:
        return self.readings[-1] if self.readings else None

    @property
    def worst(self) -> Reading | None:
        """The reading farthest on the wrong side (lowest for ``>``, highest for ``<``); any for ``=``."""
        if not self.readings or not self.criterion:
            return None
        if self.comparator in (">", ">="):
            return min(self.readings, key=lambda r: r.value)
        if self.comparator in ("<", "<="):
            return max(self.readings, key=lambda r: r.value)
        off = self.out_of_range
        return off[0] if off else self.readings[0]


def metric_run(
    *,
    name: str,
    category: str,
    unit: str,
    comparator: str,
    target: Decimal | None,
    window_text: str,
    t0: datetime,
    readings: Sequence[Reading],
    measure: str = "every",
    now: datetime | None = None,
) -> MetricRun:
    span = window_span(window_text)
    end = t0 + span if span is not None else None
    ordered = tuple(sorted(readings, key=lambda r: r.at))
    inside = tuple(r for r in ordered if r.at >= t0 and (end is None or r.at < end))
    return MetricRun(
        name=name,
        category=category,
        unit=unit,
        comparator=comparator,
        target=target,
        window_text=window_text,
        window_start=t0,
        window_end=end,
        readings=inside,
        all_readings=ordered,
        measure=measure or "every",
        now=now,
    )


def plan_metric_runs(
    plan: Plan, *, now: datetime | None, metrics: Sequence[SuccessMetric] | None = None
) -> list[MetricRun]:
    """Every metric of ``plan`` (or those of ``metrics``, in their order) over its window as of ``now``: one
    query for the readings, one more for the metrics when they are not given."""
    from .models import MetricReading

    chosen = list(metrics) if metrics is not None else list(plan.metrics.order_by("order", "pk"))
    readings: dict[int, list[Reading]] = {}
    rows = MetricReading.objects.filter(metric__in=[m.pk for m in chosen]).values_list(
        "metric_id", "recorded_at", "value"
    )
    for mid, at, value in rows:
        readings.setdefault(mid, []).append(Reading(at, value))
    return [
        metric_run(
            name=m.name,
            category=m.category,
            unit=m.unit,
            comparator=m.comparator,
            target=m.target,
            window_text=m.window,
            t0=plan.t0,
            readings=readings.get(m.pk, []),
            measure=m.measure,
            now=now,
        )
        for m in chosen
    ]
