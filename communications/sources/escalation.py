"""Issue escalation as a source: an unacknowledged issue climbs the plan's escalation matrix, and each
time-based rung it reaches (as ``issues.selectors`` works them out) notifies the rung's people: for a role
with an on-call rota, whoever is on call when the rung is reached (and their backup), else the role's
primary and backup (roles.rota.oncall.page_people)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings

from .registry import DeliverySpec, fixed, holder_email, news_anchor, register_relevance, register_source, when

if TYPE_CHECKING:
    from issues.models import Issue
    from plans.models import Plan

    from ..models import Delivery


@register_source
def issue_escalations(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    """Each time-based rung of the escalation matrix that an unacknowledged issue reaches notifies the
    primary and backup of the rung's roles (and, at the first rung, of the issue's owner role)."""
    from issues.models import Issue, IssueStatus
    from issues.selectors import escalation_levels, rungs_reached, unanswered_in
    from roles.rota.oncall import on_call_at, page_people, plan_shifts

    if not plan.pk:
        return
    rungs = escalation_levels(plan, with_people=True)  # with their roles and people: two queries
    roles_by_level = {lvl.pk: list(lvl.roles.all()) for lvl in rungs}
    levels = [lvl for lvl in rungs if roles_by_level[lvl.pk]]
    if not levels:
        return
    longest = max(lvl.after for lvl in levels)
    issues = list(
        Issue.objects.filter(unanswered_in(start - longest, end), plan=plan, status=IssueStatus.OPEN)
        .select_related("owner_role__primary", "owner_role__backup")
        .order_by("reported_at")
    )
    url = f"{settings.SITE_URL}/plans/{plan.slug}/issues/"  # + the issue's own page
    shifts = plan_shifts(plan) if issues else []  # one query: who is on call when each rung is reached
    for issue in issues:
        for lvl, due in rungs_reached(issue, levels, after=start, until=end):
            roles = list(roles_by_level[lvl.pk])
            if lvl == levels[0] and issue.owner_role is not None and issue.owner_role not in roles:
                roles.append(issue.owner_role)
            seen: set[int] = set()
            on_call = on_call_at(shifts, due)
            for role in roles:
                for user, which in page_people(role, on_call.get(role.pk)):
                    if user.pk in seen:
                        continue
                    seen.add(user.pk)
                    yield holder_email(
                        user,
                        role,
                        which,
                        recipient=f"user:{user.pk}:L{lvl.level}",
                        source_kind="issue.escalation",
                        source_id=issue.pk,
                        due_at=due,
                        # wall-clock news, as the response SLA it follows: a hold (started for this very issue,
                        # often) stops the countdown, not the climb. Anchored on the hold's side, it was dropped.
                        anchor=news_anchor(plan),
                        label=f"Escalation L{lvl.level} {lvl.name}: #{issue.number} {issue.title}",
                        render=fixed(
                            f"[{plan.name}] {issue.get_severity_display().upper()} issue #{issue.number} unanswered: "
                            f"escalated to L{lvl.level} {lvl.name}",
                            f"#{issue.number} {issue.title} ({issue.get_severity_display()}) was reported at "
                            f"{when(plan, issue.reported_at)}{_reopened(plan, issue)} and is not acknowledged "
                            "yet.\n\n"
                            f"{issue.description}\n\nAcknowledge it: {url}{issue.number}/",
                        ),
                    )


def _reopened(plan: Plan, issue: Issue) -> str:
    return f", reopened at {when(plan, issue.reopened_at)}," if issue.reopened_at else ""


def _issue_unanswered(delivery: Delivery) -> str | None:
    from issues.models import Issue, IssueStatus

    issue = Issue.objects.filter(pk=delivery.source_id).only("status").first()
    if issue is None:
        return "the issue was deleted"
    return None if issue.status == IssueStatus.OPEN else f"the issue is already {issue.get_status_display().lower()}"


register_relevance("issue.escalation", _issue_unanswered)
