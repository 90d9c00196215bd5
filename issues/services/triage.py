"""Triage: correcting what an issue was raised with (severity, role, category, affected step, realised risk)
once the war room knows more. The raise dialog takes seconds and is often wrong in a detail; the review
reads these fields, so they must be fixable after the raise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from plans.services import event_record

from ..models import Issue, IssueStatus, Severity, SeveritySLA
from . import IssueConflict, _locked_issue, can_handle

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Risk, Step

    from ..models import IssueCategory

#: What triage may change, each with how the change is named in the log.
TRIAGE_FIELDS = {"severity": "severity", "owner_role": "role", "category": "category", "step": "step", "risk": "risk"}
UNSET: Any = object()


def issue_triage(
    issue: Issue | int,
    *,
    by: User,
    severity: str | None = None,
    owner_role: Any = UNSET,
    category: IssueCategory | None | Any = UNSET,
    step: Step | None | Any = UNSET,
    risk: Risk | None | Any = UNSET,
) -> Issue:
    """Change any of the issue's severity, owner role (``None``: the coordinator), category, affected step and
    realised risk; what is not given stays. The owner role's primary or backup or the coordinator, on an
    issue that is not closed. A new severity while unanswered re-times the response SLA from the report (or
    the reopening). Nothing given that differs: nothing recorded. One event names every change."""
    wanted = {"owner_role": owner_role, "category": category, "step": step, "risk": risk}
    wanted = {k: v for k, v in wanted.items() if v is not UNSET}
    if severity is not None:
        if severity not in Severity.values:
            raise ValidationError(f"Unknown severity {severity!r}.")
        wanted["severity"] = severity
    with transaction.atomic():
        locked = _locked_issue(issue)
        if not can_handle(by, locked):
            raise PermissionDenied("Only the owner role's primary or backup, or the coordinator, may change the issue.")
        if locked.status == IssueStatus.CLOSED:
            raise IssueConflict(f"Nothing changed: #{locked.number} is closed (raise a new one if it is back).")
        for name, value in wanted.items():
            if name != "severity" and value is not None and value.plan_id != locked.plan_id:
                raise ValidationError(f"The {TRIAGE_FIELDS[name]} belongs to another plan.")
        changes = _apply(locked, wanted)
        if not changes:
            return locked
        fields = [name for name in wanted if name in changes] + _retime(locked, "severity" in changes)
        locked.save(update_fields=fields)
        event_record(
            locked.plan,
            kind="issue.triaged",
            actor=by,
            role=locked.owner_role,
            summary=f"Changed #{locked.number} {locked.title}: "
            + "; ".join(f"{TRIAGE_FIELDS[k]} {old} → {new}" for k, (old, new) in changes.items()),
            data={"issue": locked.pk, "changed": {k: [old, new] for k, (old, new) in changes.items()}},
        )
    return locked


def _shown(issue: Issue, name: str) -> str:
    if name == "severity":
        return str(issue.get_severity_display())
    value = getattr(issue, name)
    if value is None:
        return "coordinator" if name == "owner_role" else "none"
    return str(getattr(value, "name", None) or getattr(value, "title", None) or value)


def _apply(issue: Issue, wanted: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Set what differs; returns {field: (old, new)} as people read them."""
    changes = {}
    for name in (name for name in TRIAGE_FIELDS if name in wanted):  # severity first, as people read it
        value = wanted[name]
        current = issue.severity if name == "severity" else getattr(issue, f"{name}_id")
        target = value if name == "severity" else (value.pk if value is not None else None)
        if current != target:
            old = _shown(issue, name)
            setattr(issue, name, value)
            changes[name] = (old, _shown(issue, name))
    return changes


def _retime(issue: Issue, severity_changed: bool) -> list[str]:
    """A still unanswered issue's response deadline follows its new severity's SLA (or goes, without one)."""
    if not severity_changed or issue.status != IssueStatus.OPEN:
        return []
    sla = SeveritySLA.objects.filter(plan_id=issue.plan_id, severity=issue.severity).first()
    start = issue.reopened_at or issue.reported_at
    issue.respond_by = start + sla.response_within if sla else None
    return ["respond_by"]
