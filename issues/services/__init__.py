"""Writes for issues: raise, acknowledge, mitigate, resolve, close, reopen, comment, mark as a rollback
trigger, escalate. Each checks permission, runs in a transaction, records an Event and bumps the plan's
revision. A transition the issue's state does not allow (a double click, a stale page) raises
:class:`IssueConflict` and changes nothing: the pages show its sentence, the API answers 409."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from plans.permissions import can_coordinate
from plans.services import event_record, plan_lock
from plans.validators import LONG_TEXT_MAX, BoundsError, clean_text
from roles.permissions import can_act_for_role, holds_any_role

from ..models import UNRESOLVED, Issue, IssueCategory, IssueComment, IssueStatus, Severity, SeveritySLA

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan, Risk, RollbackTrigger, Step
    from plans.permissions import Viewer
    from roles.models import Role

NOTE_MAX = 2000
REOPEN_FIELDS = ["status", "respond_by", "acknowledged_at", "acknowledged_by", "mitigating_at", "mitigating_by"]
REOPEN_FIELDS += ["resolved_at", "resolved_by", "resolution_time", "reopened_at", "reopen_count", "escalation_level"]


class IssueConflict(ValidationError):
    """The issue is not in a state the transition starts from (already acknowledged, already closed…)."""


def _state_conflict(issue: Issue, doing: str, *, target: str = "") -> IssueConflict:
    """A double click (the issue is already where the transition leads) or a stale page."""
    status = issue.get_status_display().lower()
    if issue.status == target:
        return IssueConflict(f"Nothing changed: #{issue.number} is already {status}.")
    return IssueConflict(f"Nothing changed: #{issue.number} is {status}, so it cannot be {doing}.")


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
    step: Step | None = None,
    risk: Risk | None = None,
) -> Issue:
    """Raise an issue. ``respond_by`` comes from the plan's response SLA for the severity; ``category`` is
    one of the plan's declared issue categories (or none); ``step`` the affected step and ``risk`` the
    plan's risk it realises (each of this plan, or none)."""
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
    if step is not None and step.plan_id != plan.pk:
        raise ValidationError("The step belongs to another plan.")
    if risk is not None and risk.plan_id != plan.pk:
        raise ValidationError("The risk belongs to another plan.")
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
            step=step,
            risk=risk,
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
            data={
                "issue": issue.pk,
                "severity": severity,
                "category": category.name if category else "",
                "step": step.pk if step else None,
                "risk": risk.pk if risk else None,
            },
        )
    plan.revision = locked.revision
    return issue


def _locked_issue(issue: Issue | int) -> Issue:
    pk = issue.pk if isinstance(issue, Issue) else issue
    return Issue.objects.select_for_update(of=("self",)).select_related("plan", "owner_role__plan").get(pk=pk)


def _answer(issue: Issue, by: User, now: datetime) -> list[str]:
    """Acknowledge on the way (mitigating or resolving an open issue answers it too); the response time is
    kept from the first answer. Returns the fields changed."""
    if issue.acknowledged_at is not None:
        return []
    issue.acknowledged_at, issue.acknowledged_by = now, by
    if issue.response_time is None:
        issue.response_time = now - issue.reported_at
    return ["acknowledged_at", "acknowledged_by", "response_time"]


def issue_acknowledge(issue: Issue | int, *, by: User) -> Issue:
    """Someone responsible has seen it: stops the response SLA clock and the escalation. Only an open issue
    (a second click is an :class:`IssueConflict`)."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may acknowledge.")
        if locked.status != IssueStatus.OPEN:
            raise _state_conflict(locked, "acknowledged", target=IssueStatus.ACKNOWLEDGED)
        now = timezone.now()
        locked.status = IssueStatus.ACKNOWLEDGED
        changed = _answer(locked, by, now)
        locked.save(update_fields=["status", *changed])
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


def issue_resolve(issue: Issue | int, *, by: User, resolution: str = "", root_cause: str = "") -> Issue:
    """The trouble is over: what was done (required) and, if known yet, the root cause. From open,
    acknowledged or mitigating; resolving an unacknowledged issue acknowledges it too. Keeps the resolution
    time (raised to resolved). A resolved issue is closed (:func:`issue_close`) or reopened."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may resolve.")
        if locked.status not in UNRESOLVED:
            raise _state_conflict(locked, "resolved", target=IssueStatus.RESOLVED)
        resolution = clean_text(resolution, max_length=NOTE_MAX, multiline=True, field="Resolution")
        if not resolution.strip():
            raise ValidationError("Say how the issue was resolved.")
        root_cause = clean_text(root_cause, max_length=NOTE_MAX, multiline=True, field="Root cause")
        now = timezone.now()
        changed = _answer(locked, by, now)
        locked.status = IssueStatus.RESOLVED
        locked.resolved_at, locked.resolved_by = now, by
        locked.resolution_time = now - locked.reported_at
        locked.resolution = resolution.strip()
        locked.root_cause = root_cause or locked.root_cause
        fields = ["resolved_at", "resolved_by", "resolution_time", "resolution", "root_cause"]
        locked.save(update_fields=["status", *changed, *fields])
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
    from ..selectors import escalation_levels, reached_level

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


def _note(text: str, field: str, *, required: str = "") -> str:
    """Untrusted text from a form or the API: checked, stripped; ``required`` is the refusal when empty."""
    cleaned = clean_text(text, max_length=NOTE_MAX, multiline=True, field=field)
    if required and not cleaned:
        raise BoundsError(required)
    return cleaned


def _transition(locked: Issue, *, by: User, kind: str, summary: str, fields: list[str], **data: object) -> Issue:
    locked.save(update_fields=fields)
    event_record(
        locked.plan,
        kind=kind,
        actor=by,
        role=locked.owner_role,
        summary=summary,
        data={"issue": locked.pk, **data},
    )
    return locked


def issue_mitigate(issue: Issue | int, *, by: User, note: str = "") -> Issue:
    """Work is under way (a workaround, a rollback of one service…): open or acknowledged → mitigating.
    Answers an open issue on the way. ``note`` says what is being done (optional)."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may mitigate.")
        if locked.status not in (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED):
            raise _state_conflict(locked, "marked mitigating", target=IssueStatus.MITIGATING)
        text = _note(note, "Note")
        now = timezone.now()
        changed = _answer(locked, by, now)
        locked.status = IssueStatus.MITIGATING
        locked.mitigating_at, locked.mitigating_by = now, by
        return _transition(
            locked,
            by=by,
            kind="issue.mitigating",
            summary=f"Mitigating #{locked.number} {locked.title}" + (f": {text}" if text else ""),
            fields=["status", *changed, "mitigating_at", "mitigating_by"],
            note=text,
        )


def issue_close(issue: Issue | int, *, by: User, root_cause: str = "", resolution: str = "") -> Issue:
    """Resolved → closed, for good: the root cause and the resolution must be written down (given now, or
    already on the issue from resolving). A closed issue is not reopened: raise a new one."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may close.")
        if locked.status != IssueStatus.RESOLVED:
            raise _state_conflict(locked, "closed before it is resolved", target=IssueStatus.CLOSED)
        cause = _note(root_cause, "Root cause") or locked.root_cause
        if not cause:
            raise BoundsError("Write down the root cause before closing.")
        fix = _note(resolution, "Resolution") or locked.resolution
        if not fix:
            raise BoundsError("Write down the resolution before closing.")
        locked.status = IssueStatus.CLOSED
        locked.root_cause, locked.resolution = cause, fix
        locked.closed_at, locked.closed_by = timezone.now(), by
        return _transition(
            locked,
            by=by,
            kind="issue.closed",
            summary=f"Closed #{locked.number} {locked.title}. Root cause: {cause}",
            fields=["status", "root_cause", "resolution", "closed_at", "closed_by"],
        )


def issue_reopen(issue: Issue | int, *, by: User, reason: str) -> Issue:
    """It is back: resolved → open, with a reason. The response SLA starts again (so the board shows its
    timer) and so does the escalation, from the first rung; the first response time is kept, the resolution
    time is cleared until it is resolved again. Anyone who may raise an issue in the plan may reopen one."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not (can_raise(by, locked.plan) or can_handle(by, locked)):
            raise PermissionDenied("Only people with a role in this launch, or its coordinator, may reopen an issue.")
        if locked.status != IssueStatus.RESOLVED:
            raise _state_conflict(
                locked, "reopened" + (" (raise a new one)" if locked.status == IssueStatus.CLOSED else "")
            )
        text = _note(reason, "Reason", required="Say why the issue is reopened.")
        now = timezone.now()
        sla = SeveritySLA.objects.filter(plan=locked.plan, severity=locked.severity).first()
        locked.status = IssueStatus.OPEN
        locked.respond_by = now + sla.response_within if sla else None
        locked.acknowledged_at = locked.acknowledged_by = locked.mitigating_at = locked.mitigating_by = None
        locked.resolved_at = locked.resolved_by = locked.resolution_time = None
        locked.reopened_at, locked.reopen_count = now, locked.reopen_count + 1
        locked.escalation_level = 0  # the climb starts again from its reopening (issues.selectors)
        return _transition(
            locked,
            by=by,
            kind="issue.reopened",
            summary=f"Reopened #{locked.number} {locked.title}: {text}",
            fields=REOPEN_FIELDS,
            reason=text,
        )


def issue_comment(issue: Issue | int, *, by: User, body: str) -> IssueComment:
    """Say something on the issue's timeline. Anyone who may raise or handle it; any state, closed too."""
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not (can_raise(by, locked.plan) or can_handle(by, locked)):
            raise PermissionDenied("Only people with a role in this launch, or its coordinator, may comment.")
        text = _note(body, "Comment", required="Write a comment.")
        comment = IssueComment.objects.create(issue=locked, author=by, at=timezone.now(), body=text)
        event_record(
            locked.plan,
            kind="issue.commented",
            actor=by,
            role=locked.owner_role,
            summary=f"On #{locked.number} {locked.title}: {text}",
            data={"issue": locked.pk, "comment": comment.pk},
        )
    return comment


def issue_mark_rollback(
    issue: Issue | int, *, by: User, trigger: RollbackTrigger | None = None, reason: str = ""
) -> Issue:
    """Mark an unresolved issue as a rollback trigger: it pulls one of the plan's discretionary rollback
    triggers (``rollback_trigger_raise``: the board's alarm with the trigger's action) and is linked to it.
    ``trigger`` may be left out when the plan has exactly one. Needs the right to pull that trigger.
    Resolving the issue does not clear the trigger: standing a rollback down is its own decision."""
    from plans.models import RollbackTrigger
    from plans.runbook.models import TriggerKind
    from plans.runbook.services import rollback_trigger_raise

    with transaction.atomic():
        locked = _locked_issue(issue)
        if locked.rollback_trigger_id is not None:
            raise IssueConflict(f"#{locked.number} is already marked as a rollback trigger.")
        if locked.status not in UNRESOLVED:
            raise _state_conflict(locked, "marked as a rollback trigger")
        if trigger is None:
            pullable = list(RollbackTrigger.objects.filter(plan=locked.plan, kind=TriggerKind.DISCRETIONARY)[:2])
            if not pullable:
                raise ValidationError("This plan declares no rollback trigger a person can pull.")
            if len(pullable) > 1:
                raise BoundsError("Choose which rollback trigger this issue pulls.")
            trigger = pullable[0]
        if trigger.plan_id != locked.plan_id:
            raise BoundsError("The rollback trigger belongs to another plan.")
        text = _note(reason, "Reason")
        pulled = rollback_trigger_raise(
            trigger, by=by, reason=f"Issue #{locked.number} {locked.title}" + (f": {text}" if text else "")
        )
        locked.rollback_trigger = pulled
        return _transition(
            locked,
            by=by,
            kind="issue.rollback_trigger",
            summary=f"#{locked.number} {locked.title} marked as rollback trigger: {pulled.description}",
            fields=["rollback_trigger"],
            trigger=pulled.pk,
        )


from .triage import issue_triage  # noqa: E402, F401  (it uses the helpers above)
