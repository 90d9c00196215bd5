"""The success criteria's verdicts from a summary of each window (count, lowest, highest, sum, latest) that the
database works out, for the pages that show only the verdict: the board and the metrics page, rendered again
at every change. ``plans.criteria`` reads every reading of every metric (the review draws them all); a metric
fed every 10 s by monitoring has 60,000 a week, and the board spent 200 ms reading 20,000 it did not show.
:func:`summary_verdict` is :attr:`plans.criteria.MetricRun.verdict` over the summary (tests/plans prove the two
agree on every window)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Min, Q, Sum

from .criteria import _compare, window_span
from .metrics import newest_readings
from .models import MetricReading

if TYPE_CHECKING:
    from .models import Plan, SuccessMetric


@dataclass(frozen=True)
class Summary:
    """A criterion's window: how many readings, the lowest, the highest, their sum and the latest."""

    count: int = 0
    lowest: Decimal | None = None
    highest: Decimal | None = None
    total: Decimal | None = None
    latest: Decimal | None = None  # read only for the ``latest`` measure


def summary_verdict(
    *, comparator: str, target: Decimal | None, measure: str, summary: Summary, window_open: bool
) -> str:
    """``met``, ``not_met``, ``open``, ``no_data`` or ``tracked``, as ``MetricRun.verdict`` reads them."""
    if target is None or not comparator:
        return "tracked"

    def meets(value: Decimal) -> bool:
        return _compare(value, comparator, target)

    lo, hi = summary.lowest, summary.highest
    if measure == "every" and summary.count and lo is not None and hi is not None and not (meets(lo) and meets(hi)):
        return "not_met"  # some reading is off target: the lowest or the highest is
    if window_open:
        return "open"
    if not summary.count:
        return "no_data"
    if measure == "mean":
        value = summary.total / summary.count if summary.total is not None else None
    elif measure == "latest":
        value = summary.latest
    else:  # every reading met it (else not_met above): the worst does too
        value = lo if comparator in (">", ">=", "=") else hi
    return "met" if value is not None and meets(value) else "not_met"


@dataclass(frozen=True)
class Criterion:
    """A success criterion over its window, from its :class:`Summary` (the post-launch page's row)."""

    metric: SuccessMetric
    window_end: datetime | None
    summary: Summary
    window_open: bool

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def verdict(self) -> str:
        m = self.metric
        return summary_verdict(
            comparator=m.comparator,
            target=m.target,
            measure=m.measure or "every",
            summary=self.summary,
            window_open=self.window_open,
        )

    @property
    def value(self) -> Decimal | None:
        """What the measure compares: the mean or the latest reading of the window (``every``: the worst)."""
        s, m = self.summary, self.metric
        if not s.count:
            return None
        if m.measure == "mean":
            return s.total / s.count if s.total is not None else None
        if m.measure == "latest":
            return s.latest
        if m.comparator in (">", ">="):
            return s.lowest
        if m.comparator in ("<", "<="):
            return s.highest
        return s.highest if s.lowest == m.target else s.lowest  # "=": one off target, if any


def plan_criteria(plan: Plan, metrics: Sequence[SuccessMetric], *, now: datetime) -> list[Criterion]:
    """Each metric of ``metrics`` over its window at ``now``. One query, and one more when a criterion reads its
    window's latest reading."""
    windows = {m.pk: _window(plan, m) for m in metrics}
    found = _summaries(windows, [m.pk for m in metrics if m.measure == "latest"])
    out = []
    for m in metrics:
        end = windows[m.pk][1]
        out.append(Criterion(m, end, found.get(m.pk, Summary()), window_open=end is not None and now < end))
    return out


def plan_verdicts(plan: Plan, metrics: Sequence[SuccessMetric], *, now: datetime) -> dict[int, str]:
    """Each criterion's verdict at ``now`` (metrics with a target), keyed by the metric's id."""
    return {c.metric.pk: c.verdict for c in plan_criteria(plan, metrics, now=now)}


def _summaries(windows: dict[int, tuple[datetime, datetime | None]], latest: list[int]) -> dict[int, Summary]:
    if not windows:
        return {}
    inside = reduce(or_, (_inside(pk, start, end) for pk, (start, end) in windows.items()))
    rows = (
        MetricReading.objects.filter(inside)
        .values("metric_id")
        .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"), total=Sum("value"))
        .order_by()
    )
    found = {r["metric_id"]: Summary(r["n"], _dec(r["lo"]), _dec(r["hi"]), _dec(r["total"])) for r in rows}
    if latest:
        for pk, value in _latest(windows, latest).items():
            s = found.get(pk, Summary())
            found[pk] = Summary(s.count, s.lowest, s.highest, s.total, value)
    return found


def _window(plan: Plan, metric: SuccessMetric) -> tuple[datetime, datetime | None]:
    span = window_span(metric.window)
    return plan.t0, (plan.t0 + span if span is not None else None)


def _inside(pk: int, start: datetime, end: datetime | None) -> Q:
    q = Q(metric_id=pk, recorded_at__gte=start)
    return q & Q(recorded_at__lt=end) if end is not None else q


def _latest(windows: dict[int, tuple[datetime, datetime | None]], pks: list[int]) -> dict[int, Decimal]:
    newest = newest_readings({pk: _inside(pk, *windows[pk]) for pk in pks}, 1)
    return {pk: rows[0].value for pk, rows in newest.items() if rows}


def _dec(value: object) -> Decimal | None:
    """A database's number as a Decimal (SQLite sums and averages in floating point)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))
