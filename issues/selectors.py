"""Reads for the issue pages and the war room: open issues by severity with their SLA timers and the
escalation rung each unanswered one has reached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from plans.models import Plan
from roles.contacts import ContactCard
from roles.models import EscalationLevel, Role

from .models import SEVERITY_RANK, Issue, IssueCategory, IssueStatus

if TYPE_CHECKING:
    from collections.abc import Iterable


def escalation_levels(plan: Plan | int, *, with_people: bool = False) -> list[EscalationLevel]:
    """The plan's time-based rungs, lowest first. Out-of-band rungs (a ``condition`` such as
    'Emergency') are reached by a decision, not by time, so they are left out. ``with_people`` also
    loads each rung's roles (in order) with their primary and backup: two queries in all."""
    pk = plan.pk if isinstance(plan, Plan) else plan
    levels = EscalationLevel.objects.filter(plan_id=pk, condition="").order_by("level")
    if with_people:
        people = Role.objects.select_related("primary", "backup").order_by("order")
        levels = levels.prefetch_related(Prefetch("roles", queryset=people))
    return list(levels)


def rungs_reached(
    issue: Issue, levels: list[EscalationLevel], *, after: datetime | None = None, until: datetime
) -> list[tuple[EscalationLevel, datetime]]:
    """The rungs an issue that stays unanswered reaches in ``(after, until]``, lowest first, each with the
    moment it is reached: rung N is reached once the issue has gone unanswered for its ``after``."""
    reached = []
    for level in levels:
        at = issue.reported_at + level.after
        if (after is None or after < at) and at <= until:
            reached.append((level, at))
    return reached


def reached_level(
    issue: Issue, levels: list[EscalationLevel], *, now: datetime | None = None
) -> EscalationLevel | None:
    """The highest rung an issue has reached (see :func:`rungs_reached`). An answered issue stays on the
    rung it had reached then."""
    now = now or timezone.now()
    answered = issue.acknowledged_at or issue.resolved_at
    reached = rungs_reached(issue, levels, until=answered or now)
    return reached[-1][0] if reached else None


def severity_order() -> Case:
    return Case(
        *[When(severity=sev, then=Value(rank)) for sev, rank in SEVERITY_RANK.items()],
        output_field=IntegerField(),
    )


def open_issues(plan: Plan | int) -> QuerySet[Issue]:
    """Unresolved issues, most severe first, oldest first within a severity."""
    pk = plan.pk if isinstance(plan, Plan) else plan
    return (
        Issue.objects.filter(plan_id=pk)
        .exclude(status=IssueStatus.RESOLVED)
        .select_related("owner_role", "owner_role__primary", "owner_role__backup")
        .annotate(rank=severity_order())
        .order_by("rank", "reported_at")
    )


@dataclass
class IssueRow:
    issue: Issue
    level: EscalationLevel | None
    remaining: timedelta | None  # until respond_by, for an unacknowledged issue with an SLA
    can_handle: bool = False  # may the viewer acknowledge and resolve it (set by the page)
    contacts: list[ContactCard] = field(default_factory=list)  # who to call on its rung (set by the page)

    @property
    def breached(self) -> bool:
        return self.remaining is not None and self.remaining <= timedelta(0)


def issue_rows(
    issues: Iterable[Issue], levels: list[EscalationLevel], *, now: datetime | None = None
) -> list[IssueRow]:
    now = now or timezone.now()
    return [IssueRow(i, reached_level(i, levels, now=now), i.response_remaining(now)) for i in issues]


def plan_issues(
    plan: Plan, *, include_resolved: int = 20, category: IssueCategory | None = None
) -> tuple[list[Issue], list[Issue]]:
    """For the issues page: every unresolved issue, and the latest resolved ones; only those of
    ``category`` if one is given."""
    unresolved_qs = open_issues(plan).select_related("category")
    resolved_qs = Issue.objects.filter(plan=plan, status=IssueStatus.RESOLVED).select_related("owner_role", "category")
    if category is not None:
        unresolved_qs = unresolved_qs.filter(category=category)
        resolved_qs = resolved_qs.filter(category=category)
    unresolved = list(unresolved_qs)
    resolved = list(resolved_qs.order_by("-resolved_at")[:include_resolved])
    return unresolved, resolved
