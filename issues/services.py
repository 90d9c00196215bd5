"""Writes for issues: raise, acknowledge, resolve, escalate. Each checks permission, runs in a
transaction, records an Event and bumps the plan's revision."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plans.permissions import can_coordinate
from plans.services import event_record, plan_lock
from plans.validators import LONG_TEXT_MAX, clean_text
from roles.permissions import can_act_for_role, holds_any_role

from .models import Issue, IssueCategory, IssueStatus, Severity, SeveritySLA

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from plans.permissions import Viewer
    from roles.models import Role


def can_raise(user: Viewer | None, plan: Plan) -> bool:
    """Anyone who holds a role in the plan, and the coordinator, may raise an issue."""
    return can_coordinate(user, plan) or holds_any_role(user, plan.pk)


def can_handle(user: Viewer | None, issue: Issue) -> bool:
    """The owner role's primary and backup, and the coordinator, may acknowledge and resolve."""
    if issue.owner_role_id is None:
        return can_coordinate(user, issue.plan)
    return can_act_for_role(user, issue.owner_role)


def issue_open(
    plan: Plan,
    *,
    by: User,
    title: str,
    severity: str,
    description: str = "",
    owner_role: Role | None = None,
    category: IssueCategory | None = None,
) -> Issue:
    """Raise an issue. ``respond_by`` comes from the plan's response SLA for the severity; ``category`` is
    one of the plan's declared issue categories (or none)."""
    if not can_raise(by, plan):
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may raise an issue.")
    title = clean_text(title, max_length=Issue._meta.get_field("title").max_length or 200, field="Title")
    description = clean_text(description, max_length=LONG_TEXT_MAX, multiline=True, field="Description")
    if not title:
        raise ValidationError("An issue needs a title.")
    if severity not in Severity.values:
        raise ValidationError(f"Unknown severity {severity!r}.")
    if owner_role is not None and owner_role.plan_id != plan.pk:
        raise ValidationError("The owner role belongs to another plan.")
    if category is not None and category.plan_id != plan.pk:
        raise ValidationError("The category belongs to another plan.")
    with transaction.atomic():
        locked = plan_lock(plan)
        now = timezone.now()
        sla = SeveritySLA.objects.filter(plan=locked, severity=severity).first()
        number = (Issue.objects.filter(plan=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        issue = Issue.objects.create(
            plan=locked,
            number=number,
            title=title,
            description=description.strip(),
            severity=severity,
            owner_role=owner_role,
            category=category,
            reported_by=by,
            reported_at=now,
            respond_by=now + sla.response_within if sla else None,
        )
        event_record(
            locked,
            kind="issue.opened",
            actor=by,
            role=owner_role,
            summary=f"{Severity(severity).label} issue #{number}: {title}"
            + (f" ({category.name})" if category is not None else ""),
            data={"issue": issue.pk, "severity": severity, "category": category.name if category else ""},
        )
    plan.revision = locked.revision
    return issue


def _locked_issue(issue: Issue | int) -> Issue:
    pk = issue.pk if isinstance(issue, Issue) else issue
    return Issue.objects.select_for_update(of=("self",)).select_related("plan", "owner_role__plan").get(pk=pk)


def issue_acknowledge(issue: Issue | int, *, by: User) -> Issue:
    """Someone responsible has seen it: stops the response SLA clock and the escalation. Idempotent."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may acknowledge.")
        if locked.status != IssueStatus.OPEN:
            return locked
        now = timezone.now()
        locked.status = IssueStatus.ACKNOWLEDGED
        locked.acknowledged_at, locked.acknowledged_by = now, by
        locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        late = locked.respond_by is not None and now > locked.respond_by
        event_record(
            locked.plan,
            kind="issue.acknowledged",
            actor=by,
            role=locked.owner_role,
            summary=f"Acknowledged #{locked.number} {locked.title}" + (" (after its SLA)" if late else ""),
            data={"issue": locked.pk, "late": late},
        )
    return locked


def issue_resolve(issue: Issue | int, *, by: User, resolution: str = "") -> Issue:
    """Close the issue with what was done. Resolving an unacknowledged issue acknowledges it too."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may resolve.")
        if locked.status == IssueStatus.RESOLVED:
            return locked
        resolution = clean_text(resolution, max_length=2000, multiline=True, field="Resolution")
        if not resolution.strip():
            raise ValidationError("Say how the issue was resolved.")
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, by
        locked.status = IssueStatus.RESOLVED
        locked.resolved_at, locked.resolved_by = now, by
        locked.resolution = resolution.strip()
        locked.save(
            update_fields=["status", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by", "resolution"]
        )
        event_record(
            locked.plan,
            kind="issue.resolved",
            actor=by,
            role=locked.owner_role,
            summary=f"Resolved #{locked.number} {locked.title}: {locked.resolution}",
            data={"issue": locked.pk},
        )
    return locked


def issues_escalate(plan: Plan, *, now: datetime | None = None) -> list[Issue]:
    """Store the rung each unanswered issue has reached (``Issue.escalation_level``) and log each climb.
    Called by a periodic task or a page; returns the issues that climbed."""
    from .selectors import escalation_levels, reached_level

    now = now or timezone.now()
    levels = escalation_levels(plan)
    climbed: list[Issue] = []
    with transaction.atomic():
        for issue in Issue.objects.select_for_update().filter(plan=plan, status=IssueStatus.OPEN):
            level = reached_level(issue, levels, now=now)
            if level is not None and level.level > issue.escalation_level:
                issue.escalation_level = level.level
                issue.save(update_fields=["escalation_level"])
                event_record(
                    plan,
                    kind="issue.escalated",
                    summary=f"#{issue.number} {issue.title} unanswered: escalated to L{level.level} {level.name}",
                    data={"issue": issue.pk, "level": level.level},
                )
                climbed.append(issue)
    return climbed
