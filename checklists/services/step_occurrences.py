"""Ticking one occurrence of a recurring step (checklists.series): as for items, by the step's lead role
(its primary or backup) or the coordinator; late ticks count as done late, a tick can be taken back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import Step
from plans.services import event_record
from roles.permissions import require_role

from ..models import Occurrence, Recurrence
from ._shared import _text
from .occurrences import _tickable_slot

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _locked_series(pk: int, by: User) -> tuple[Step, Recurrence]:
    """The recurring step, locked, with its rule, once ``by`` may act for its lead role."""
    locked = Step.objects.select_for_update(of=("self",)).select_related("plan", "lead_role").get(pk=pk)
    require_role(by, locked.lead_role, plan=locked.plan)
    rule = Recurrence.objects.filter(step=locked).first()
    if rule is None:
        raise ValidationError(f"“{locked.name}” does not repeat: start and finish the step itself.")
    return locked, rule


def step_occurrence_tick(step: Step | int, *, index: int, by: User, note: str = "") -> Occurrence:
    """Tick occurrence ``index`` (0 is the first) of a recurring step: from the plan's reminder lead before
    its time; after it was missed it counts as done late. Ticking a ticked occurrence changes nothing (a
    double click records one tick)."""
    pk = step.pk if isinstance(step, Step) else step
    with transaction.atomic():
        locked, rule = _locked_series(pk, by)
        existing = Occurrence.objects.filter(step=locked, index=index).first()
        if existing is not None:
            return existing
        plan, now = locked.plan, timezone.now()
        due, late, when = _tickable_slot(plan, rule, index, locked.name, now)
        tick = Occurrence.objects.create(
            step=locked, index=index, due_at=due, done_at=now, done_by=by, note=_text(note, "Note").strip()
        )
        event_record(
            plan,
            kind="step.occurrence_ticked",
            actor=by,
            role=locked.lead_role,
            summary=f"Ticked “{locked.name}” #{index + 1} (due {when})"
            + (" late, after it was missed" if late else ""),
            data={"step": locked.pk, "occurrence": index, "due": due.isoformat(), "late": late},
        )
    return tick


def step_occurrence_untick(step: Step | int, *, index: int, by: User, reason: str = "") -> bool:
    """Take back the tick of occurrence ``index`` of a recurring step (the event keeps who ticked it and
    when, who took it back and why). False when it was not ticked."""
    pk = step.pk if isinstance(step, Step) else step
    with transaction.atomic():
        locked, _rule = _locked_series(pk, by)
        tick = Occurrence.objects.filter(step=locked, index=index).select_related("done_by").first()
        if tick is None:
            return False
        plan = locked.plan
        ticked_by = tick.done_by.get_full_name() or tick.done_by.username if tick.done_by else "someone"
        why = _text(reason, "Reason").strip()
        tick.delete()
        event_record(
            plan,
            kind="step.occurrence_unticked",
            actor=by,
            role=locked.lead_role,
            summary=f"Took back the tick of “{locked.name}” #{index + 1} (ticked by {ticked_by} at "
            f"{plan.local(tick.done_at):%a %H:%M})" + (f": {why}" if why else ""),
            data={
                "step": locked.pk,
                "occurrence": index,
                "ticked_at": tick.done_at.isoformat(),
                "ticked_by": tick.done_by_id,
                "reason": why,
            },
        )
    return True


def step_recurrence_problems(step: Step) -> list[str]:
    """Why ``step`` cannot repeat (as the plan file's checks say it: a recurring step is in no chain of
    steps); empty when it can. Used by the admin before it gives a step a recurrence."""
    problems = []
    if step.lead_role_id is None:
        problems.append("it has no lead role (the role that ticks each occurrence)")
    if step.relative or step.depends_on.exists():
        problems.append("it waits for other steps (after/depends on)")
    if step.deadline is not None:
        problems.append("it has a deadline")
    names = [s.name for s in step.dependents.all()[:3]]
    if names:
        problems.append("steps wait for it: " + ", ".join(f"“{n}”" for n in names))
    if step.items.exists():
        problems.append("items belong to it")
    if step.gates.exists():
        problems.append("gates belong to it")
    return problems


def step_recurring_sync(plan_id: int) -> int:
    """Mark exactly the plan's steps that have a recurrence as recurring (the admin adds, moves and deletes
    recurrences one by one; the importer sets the flag itself). Returns how many steps changed."""
    with transaction.atomic():
        ruled = Recurrence.objects.filter(plan_id=plan_id, step__isnull=False).values("step_id")
        steps = Step.objects.filter(plan_id=plan_id)
        changed = steps.filter(recurring=False, pk__in=ruled).update(recurring=True)
        changed += steps.filter(recurring=True).exclude(pk__in=ruled).update(recurring=False)
    return changed
