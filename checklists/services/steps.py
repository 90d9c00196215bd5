"""Starting and finishing runbook steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plans.models import Step, StepStatus
from plans.services import event_record
from roles.permissions import require_role

from ..models import Gate, GateStatus
from ._shared import _text

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _locked_step(step: Step | int) -> Step:
    pk = step.pk if isinstance(step, Step) else step
    locked = Step.objects.select_for_update(of=("self",)).select_related("plan", "lead_role").get(pk=pk)
    if locked.recurring:
        raise ValidationError(f"“{locked.name}” repeats: tick each of its occurrences instead.")
    return locked


def step_blockers(step: Step) -> list[Step]:
    return [d for d in step.depends_on.all() if d.status not in (StepStatus.DONE, StepStatus.SKIPPED)]


def step_gates_closed(step: Step) -> list[Gate]:
    """The gates a step waits for (``after: [gate]``, or its phase's ``after``) that have not passed."""
    waits = Q(blocks=step) | Q(holds_phases=step.phase_id) if step.phase_id else Q(blocks=step)
    return list(Gate.objects.filter(waits).exclude(status=GateStatus.PASSED).distinct().order_by("order", "pk"))


def step_start(step: Step | int, *, by: User) -> Step:
    with transaction.atomic():
        locked = _locked_step(step)
        require_role(by, locked.lead_role, plan=locked.plan)
        if locked.status == StepStatus.IN_PROGRESS:
            return locked
        if locked.status != StepStatus.PENDING:
            raise ValidationError(f"“{locked.name}” is already {locked.get_status_display().lower()}.")
        blockers = step_blockers(locked)
        if blockers:
            raise ValidationError(f"“{locked.name}” is blocked by: " + ", ".join(f"“{b.name}”" for b in blockers) + ".")
        gates = step_gates_closed(locked)
        if gates:
            raise ValidationError(
                f"“{locked.name}” waits for the gate "
                + ", ".join(f"“{g.name}” ({g.get_status_display().lower()})" for g in gates)
                + ": it cannot start before the gate has passed."
            )
        locked.status = StepStatus.IN_PROGRESS
        locked.actual_start = timezone.now()
        locked.started_by = by
        locked.save(update_fields=["status", "actual_start", "started_by"])
        event_record(
            locked.plan,
            kind="step.started",
            actor=by,
            role=locked.lead_role,
            summary=f"Started “{locked.name}”",
            data={"step": locked.pk},
        )
    return locked


def step_finish(step: Step | int, *, by: User, note: str = "") -> Step:
    with transaction.atomic():
        locked = _locked_step(step)
        require_role(by, locked.lead_role, plan=locked.plan)
        if locked.status == StepStatus.DONE:
            return locked
        if locked.status != StepStatus.IN_PROGRESS:
            raise ValidationError(f"Start “{locked.name}” before finishing it.")
        note = _text(note, "Note")
        locked.status = StepStatus.DONE
        locked.actual_finish = timezone.now()
        locked.finished_by = by
        if note:
            locked.note = note.strip()
        locked.save(update_fields=["status", "actual_finish", "finished_by", "note"])
        event_record(
            locked.plan,
            kind="step.finished",
            actor=by,
            role=locked.lead_role,
            summary=f"Finished “{locked.name}”",
            data={"step": locked.pk},
        )
    return locked
