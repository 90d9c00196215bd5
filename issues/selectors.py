"""Reads for the issue pages and the war room: open issues by severity with their SLA timers and the
escalation rung each unanswered one has reached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from plans.models import Event, Plan
from roles.contacts import ContactCard
from roles.models import EscalationLevel, Role

from .models import DONE, SEVERITY_RANK, UNRESOLVED, Issue, IssueCategory, IssueComment, Severity

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
    moment it is reached: rung N is reached once the issue has gone unanswered for its ``after``, counted
    from its report or, once reopened, from its last reopening (the climb starts again)."""
    reached = []
    start = escalation_start(issue)
    for level in levels:
        at = start + level.after
        if (after is None or after < at) and at <= until:
            reached.append((level, at))
    return reached


def escalation_start(issue: Issue) -> datetime:
    """When the issue's escalation clock started: its last reopening, else its report."""
    return issue.reopened_at or issue.reported_at


def unanswered_in(start: datetime, end: datetime) -> Q:
    """Open issues whose escalation clock started in ``(start, end]`` (reported, or reopened, then)."""
    return Q(reported_at__gt=start, reported_at__lte=end) | Q(reopened_at__gt=start, reopened_at__lte=end)


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
        Issue.objects.filter(plan_id=pk, status__in=UNRESOLVED)
        .select_related("owner_role", "owner_role__primary", "owner_role__backup")
        .annotate(rank=severity_order())
        .order_by("rank", "reported_at")
    )


def open_counts(plans: list[Plan]) -> dict[int, tuple[int, int]]:
    """(unresolved issues, of them critical or high) by plan, for the coordinator's home cards (1 query)."""
    rows = (
        Issue.objects.filter(plan__in=plans, status__in=UNRESOLVED)
        .values("plan_id")
        .annotate(open=Count("id"), urgent=Count("id", filter=Q(severity__in=[Severity.CRITICAL, Severity.HIGH])))
    )
    return {row["plan_id"]: (row["open"], row["urgent"]) for row in rows}


def open_counts_by_role(role_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(unresolved issues, of them critical or high) by owner role, for the role cards of "My roles" (1 query)."""
    rows = (
        Issue.objects.filter(owner_role_id__in=role_ids, status__in=UNRESOLVED)
        .values("owner_role_id")
        .annotate(open=Count("id"), urgent=Count("id", filter=Q(severity__in=[Severity.CRITICAL, Severity.HIGH])))
        .order_by()
    )
    return {row["owner_role_id"]: (row["open"], row["urgent"]) for row in rows}


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


@dataclass(frozen=True)
class IssueFilter:
    """The issues page's filters (``?status=&severity=&category=&role=``): each empty means all.
    ``status`` is one status, ``"unresolved"`` (open, acknowledged or mitigating) or ``"done"``."""

    status: str = ""
    severity: str = ""
    category: IssueCategory | None = None
    role: Role | None = None

    @property
    def active(self) -> bool:
        return bool(self.status or self.severity or self.category or self.role)

    def apply(self, issues: QuerySet[Issue]) -> QuerySet[Issue]:
        if self.severity:
            issues = issues.filter(severity=self.severity)
        if self.category is not None:
            issues = issues.filter(category=self.category)
        if self.role is not None:
            issues = issues.filter(owner_role=self.role)
        return issues

    def shows(self, statuses: tuple[str, ...]) -> list[str]:
        """Of ``statuses``, those the status filter lets through."""
        if not self.status:
            return list(statuses)
        wanted = {"unresolved": UNRESOLVED, "done": DONE}.get(self.status, (self.status,))
        return [s for s in statuses if s in wanted]


def plan_issues(
    plan: Plan, *, include_resolved: int = 20, category: IssueCategory | None = None, filters: IssueFilter | None = None
) -> tuple[list[Issue], list[Issue]]:
    """For the issues page: the unresolved issues (most severe first), and the latest resolved or closed
    ones, as ``filters`` (or just ``category``) narrow them. A status filter empties the other list
    without a query."""
    filters = filters or IssueFilter(category=category)
    unresolved: list[Issue] = []
    done: list[Issue] = []
    if open_statuses := filters.shows(UNRESOLVED):
        queryset = open_issues(plan).filter(status__in=open_statuses).select_related("category")
        unresolved = list(filters.apply(queryset))
    if done_statuses := filters.shows(DONE):
        queryset = Issue.objects.filter(plan=plan, status__in=done_statuses).select_related("owner_role", "category")
        done = list(filters.apply(queryset).order_by("-resolved_at", "-closed_at")[:include_resolved])
    return unresolved, done


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an issue's timeline: a comment (who said what) or a state change (its event)."""

    at: datetime
    who: str
    kind: str  # "comment", or the event's kind: "issue.opened", "issue.acknowledged"…
    text: str

    @property
    def is_comment(self) -> bool:
        return self.kind == "comment"

    @property
    def label(self) -> str:
        return "comment" if self.is_comment else self.kind.removeprefix("issue.").replace("_", " ")


def _name(user: object) -> str:
    if user is None:
        return "Launch Control"
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def issue_timeline(issue: Issue) -> list[TimelineEntry]:
    """The issue's comments with its events (raised, acknowledged, escalated, mitigating, resolved,
    reopened, closed, marked as a rollback trigger) interleaved, oldest first: two queries."""
    events = (
        Event.objects.filter(plan_id=issue.plan_id, data__issue=issue.pk)
        .exclude(kind="issue.commented")
        .select_related("actor")
    )
    entries = [TimelineEntry(e.at, _name(e.actor), e.kind, e.summary) for e in events]
    comments = IssueComment.objects.filter(issue=issue).select_related("author")
    entries += [TimelineEntry(c.at, _name(c.author), "comment", c.body) for c in comments]
    return sorted(entries, key=lambda e: e.at)


def issue_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The pages of the plan's issues ``ids`` by id (an issue's address is its number), for the activity log
    (plans.event_links; 1 query)."""
    from django.urls import reverse

    numbers = Issue.objects.filter(plan=plan, pk__in=ids).values_list("pk", "number")
    return {pk: reverse("issues:detail", args=[plan.slug, number]) for pk, number in numbers}
