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

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

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


#: How many pixel columns the review's chart of a metric has (review.charts): a busy metric is drawn, and read
#: from the database (plans.metric_runs.plan_metric_runs), as each column's first, lowest, highest and last reading.
CHART_COLUMNS = 522


def chart_axis(
    first: datetime, last: datetime, *, window_start: datetime, window_end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """Where a metric's chart starts and ends: its first reading (or T-0, if earlier) to its last (or the end of
    its window, or ``now`` if that is earlier, if later)."""
    start, end = min(first, window_start), last
    if window_end is not None:
        end = max(end, min(window_end, now))
    return start, end


def chart_scale(start: datetime, end: datetime) -> tuple[float, float]:
    """The chart's first and last second (seconds since the epoch; a chart of one moment spans one second)."""
    lo = start.timestamp()
    return lo, max(end.timestamp(), lo + 1)


def chart_column(seconds: float, lo: float, hi: float) -> int:
    """The chart column (0 to :data:`CHART_COLUMNS`) of a moment, ``seconds`` since the epoch, on a chart from
    ``lo`` to ``hi``: the database works out the same sum, in the same order, for a busy metric."""
    return math.floor((seconds - lo) * CHART_COLUMNS / (hi - lo))


def _worst(inside: Sequence[Reading], comparator: str, target: Decimal | None) -> Reading | None:
    """The reading farthest on the wrong side (the lowest for ``>``, the highest for ``<``, the earliest of equals);
    for ``=`` the first off target, or the first."""
    if not inside or target is None or not comparator:
        return None
    if comparator in (">", ">="):
        return min(inside, key=lambda r: r.value)
    if comparator in ("<", "<="):
        return max(inside, key=lambda r: r.value)
    return next((r for r in inside if not _compare(r.value, comparator, target)), inside[0])


@dataclass(frozen=True)
class MetricRun:
    """A metric over its window, summed up: what the review's table, verdict and chart show, without keeping
    every reading (a metric fed by monitoring every 10 s has 60,480 a week)."""

    name: str
    category: str
    unit: str
    comparator: str
    target: Decimal | None
    window_text: str
    window_start: datetime
    window_end: datetime | None  # None: open (no span named)
    count: int = 0  # readings in the window
    off: int = 0  # of those, off target
    total: Decimal | None = None  # their sum
    latest: Reading | None = None  # the window's latest reading
    worst: Reading | None = None  # the window's reading farthest off (:func:`_worst`); None without a criterion
    every: int = 0  # readings in all, in the window or not (the chart)
    points: tuple[Reading, ...] = ()  # the chart's, oldest first: every reading, or each column's four
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
    def window_open(self) -> bool:
        """The window is not over at ``now`` (an open-ended window is never over, nor "open")."""
        return self.now is not None and self.window_end is not None and self.now < self.window_end

    @property
    def value(self) -> Decimal | None:
        """What the measure compares: the mean or the latest reading of the window (``every``: the worst)."""
        if not self.count:
            return None
        if self.measure == "mean":
            return self.total / self.count if self.total is not None else None
        if self.measure == "latest":
            return self.latest.value if self.latest is not None else None
        return self.worst.value if self.worst is not None else None

    @property
    def verdict(self) -> str:
        """``met``, ``not_met``, ``open`` (window not over), ``no_data`` or ``tracked`` (no target)."""
        if not self.criterion:
            return "tracked"
        if self.measure == "every" and self.off:
            return "not_met"
        if self.window_open:
            return "open"
        if not self.count:
            return "no_data"
        value = self.value
        return "met" if value is not None and self.meets(value) else "not_met"


def window_end(window_text: str, t0: datetime) -> datetime | None:
    span = window_span(window_text)
    return t0 + span if span is not None else None


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
    """A metric over its window, from every one of its readings (in any order)."""
    end = window_end(window_text, t0)
    ordered = tuple(sorted(readings, key=lambda r: r.at))
    inside = [r for r in ordered if r.at >= t0 and (end is None or r.at < end)]
    criterion = target is not None and bool(comparator)
    return MetricRun(
        name=name,
        category=category,
        unit=unit,
        comparator=comparator,
        target=target,
        window_text=window_text,
        window_start=t0,
        window_end=end,
        count=len(inside),
        off=sum(1 for r in inside if criterion and target is not None and not _compare(r.value, comparator, target)),
        total=sum((r.value for r in inside), Decimal(0)) if inside else None,
        latest=inside[-1] if inside else None,
        worst=_worst(inside, comparator, target),
        every=len(ordered),
        points=ordered,
        measure=measure or "every",
        now=now,
    )
