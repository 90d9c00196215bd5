"""Issues: how fast each was answered and resolved, and whether its severity's SLA held.

- **Response time**: acknowledged − reported. The response SLA is the issue's ``respond_by`` (set from its
  severity's ``response_within`` when raised); it is **breached** when the issue was acknowledged after
  it, or is still unacknowledged at the moment of the review past it.
- **Resolution time**: resolved − reported. The resolution SLA is ``reported + resolve_within`` of the
  severity (none when the plan gives no ``resolve_within``); breached the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class IssueRun:
    number: int
    title: str
    severity: str
    status: str
    reported_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    respond_by: datetime | None
    resolve_within: timedelta | None
    now: datetime

    @property
    def response_time(self) -> timedelta | None:
        return None if self.acknowledged_at is None else self.acknowledged_at - self.reported_at

    @property
    def resolution_time(self) -> timedelta | None:
        return None if self.resolved_at is None else self.resolved_at - self.reported_at

    @property
    def resolve_by(self) -> datetime | None:
        return None if self.resolve_within is None else self.reported_at + self.resolve_within

    @property
    def response_breached(self) -> bool:
        return _breached(self.respond_by, self.acknowledged_at, self.now)

    @property
    def resolution_breached(self) -> bool:
        return _breached(self.resolve_by, self.resolved_at, self.now)

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolution_breached


def _breached(due: datetime | None, done: datetime | None, now: datetime) -> bool:
    if due is None:
        return False
    return (done if done is not None else now) > due


@dataclass(frozen=True)
class IssueTotals:
    raised: int
    critical: int
    resolved: int
    response_breaches: int
    resolution_breaches: int
    mean_response: timedelta | None
    mean_resolution: timedelta | None
    first_critical_at: datetime | None


def _mean(values: list[timedelta]) -> timedelta | None:
    return sum(values, timedelta(0)) / len(values) if values else None


def issue_totals(issues: Iterable[IssueRun]) -> IssueTotals:
    runs = list(issues)
    critical = [i for i in runs if i.severity == "critical"]
    return IssueTotals(
        raised=len(runs),
        critical=len(critical),
        resolved=sum(1 for i in runs if i.resolved_at is not None),
        response_breaches=sum(1 for i in runs if i.response_breached),
        resolution_breaches=sum(1 for i in runs if i.resolution_breached),
        mean_response=_mean([t for i in runs if (t := i.response_time) is not None]),
        mean_resolution=_mean([t for i in runs if (t := i.resolution_time) is not None]),
        first_critical_at=min((i.reported_at for i in critical), default=None),
    )
