"""Writes for checklists, items, steps and gates. Each checks permission, runs in a transaction,
records an Event and bumps the plan's revision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import Plan, PlanStatus, Step, StepStatus
from plans.permissions import can_coordinate
from plans.services import event_record, hold_start
from plans.validators import clean_text
from roles.models import Role
from roles.permissions import can_act_for_role, holds_any_role, require_role

from .models import Checklist, Gate, GateStatus, Item, ItemStatus, NoGoTrigger, Vote

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.permissions import Viewer


class StaleWrite(ValidationError):
    """The page that sent the write showed an older state of the row than the database holds."""


#: Notes, reasons and comments typed on the role and gate pages (the forms' maxlength too).
TEXT_MAX = 2000


def _text(value: str, field: str) -> str:
    return clean_text(value, max_length=TEXT_MAX, multiline=True, field=field)


def _locked_item(item: Item | int) -> Item:
    pk = item.pk if isinstance(item, Item) else item
    return (
        Item.objects.select_for_update(of=("self",)).select_related("plan", "owner_role", "checklist__role").get(pk=pk)
    )


def item_role(item: Item) -> Role | None:
    return item.owner_role or item.checklist.role


def item_set_status(
    item: Item | int,
    *,
    by: User,
    status: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Item:
    """Set an item open/done/skipped. Idempotent: asking for the state it is already in changes
    nothing (a double click records one tick). ``expected_version`` guards against a stale page
    undoing someone else's newer write."""
    if status not in ItemStatus.values:
        raise ValidationError(f"Unknown item state {status!r}.")
    with transaction.atomic():
        locked = _locked_item(item)
        role = item_role(locked)
        require_role(by, role, plan=locked.plan)
        if note is not None:
            note = _text(note, "Note")
        if locked.status == status and (note is None or note == locked.note):
            return locked
        # A stale page may neither undo a newer state nor overwrite a newer note.
        if expected_version is not None and expected_version != locked.version:
            if locked.status != status:
                raise StaleWrite(
                    f"“{locked.title}” was changed by someone else since this page was loaded; it is now "
                    f"{locked.get_status_display().lower()}."
                )
            raise StaleWrite(
                f"The note on “{locked.title}” was changed by someone else since this page was loaded; "
                "read it and save yours again."
            )
        previous = locked.status
        locked.status = status
        if note is not None:
            locked.note = note.strip()
        if status == ItemStatus.OPEN:
            locked.done_at, locked.done_by = None, None
        elif previous != status:
            locked.done_at, locked.done_by = timezone.now(), by
        locked.version += 1
        locked.save(update_fields=["status", "note", "done_at", "done_by", "version"])
        verb = {"done": "ticked", "open": "unticked", "skipped": "skipped"}[status]
        if status == ItemStatus.OPEN and previous == ItemStatus.SKIPPED:
            verb = "reopened"
        event_record(
            locked.plan,
            kind=f"item.{verb}" if previous != status else "item.noted",
            actor=by,
            role=role,
            summary=f"{'Note on' if previous == status else verb.capitalize()} “{locked.title}”"
            + (f": {locked.note}" if note else ""),
            data={"item": locked.pk, "from": previous, "to": status},
        )
    return locked


def item_tick(item: Item | int, *, by: User, note: str | None = None, expected_version: int | None = None) -> Item:
    return item_set_status(item, by=by, status=ItemStatus.DONE, note=note, expected_version=expected_version)


def item_untick(item: Item | int, *, by: User, expected_version: int | None = None) -> Item:
    return item_set_status(item, by=by, status=ItemStatus.OPEN, expected_version=expected_version)


def step_blockers(step: Step) -> list[Step]:
    return [d for d in step.depends_on.all() if d.status not in (StepStatus.DONE, StepStatus.SKIPPED)]


def step_start(step: Step | int, *, by: User) -> Step:
    with transaction.atomic():
        pk = step.pk if isinstance(step, Step) else step
        locked = Step.objects.select_for_update(of=("self",)).select_related("plan", "lead_role").get(pk=pk)
        require_role(by, locked.lead_role, plan=locked.plan)
        if locked.status == StepStatus.IN_PROGRESS:
            return locked
        if locked.status != StepStatus.PENDING:
            raise ValidationError(f"“{locked.name}” is already {locked.get_status_display().lower()}.")
        blockers = step_blockers(locked)
        if blockers:
            raise ValidationError(f"“{locked.name}” is blocked by: " + ", ".join(f"“{b.name}”" for b in blockers) + ".")
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
        pk = step.pk if isinstance(step, Step) else step
        locked = Step.objects.select_for_update(of=("self",)).select_related("plan", "lead_role").get(pk=pk)
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


# --- Gates: no-go triggers, the go/no-go poll and the authority's decision ------------------------------


def _locked_gate(gate: Gate | int) -> Gate:
    pk = gate.pk if isinstance(gate, Gate) else gate
    return Gate.objects.select_for_update(of=("self",)).select_related("plan", "authority_role").get(pk=pk)


def _locked_trigger(trigger: NoGoTrigger | int) -> NoGoTrigger:
    pk = trigger.pk if isinstance(trigger, NoGoTrigger) else trigger
    return NoGoTrigger.objects.select_for_update(of=("self",)).select_related("gate__plan").get(pk=pk)


def can_raise_triggers(user: Viewer | None, plan: Plan) -> bool:
    """Anyone who holds a role in the plan, and the coordinator, may raise or clear a no-go trigger."""
    return can_coordinate(user, plan) or holds_any_role(user, plan.pk)


def require_trigger_rights(user: Viewer | None, plan: Plan) -> None:
    if not can_raise_triggers(user, plan):
        raise PermissionDenied("Only someone who holds a role in this launch may raise or clear a no-go trigger.")


def trigger_raise(trigger: NoGoTrigger | int, *, by: User, reason: str) -> NoGoTrigger:
    """Raise a no-go trigger: the gate cannot pass while it stands. Raising a raised trigger changes nothing."""
    with transaction.atomic():
        locked = _locked_trigger(trigger)
        plan = locked.gate.plan
        require_trigger_rights(by, plan)
        if locked.raised:
            return locked
        reason = _text(reason, "Reason")
        if not reason:
            raise ValidationError(f"Say why “{locked.description}” is raised.")
        locked.raised, locked.raised_at, locked.raised_by = True, timezone.now(), by
        locked.raised_reason = reason.strip()
        locked.cleared_at, locked.cleared_by, locked.cleared_reason = None, None, ""
        locked.save()
        event_record(
            plan,
            kind="trigger.raised",
            actor=by,
            summary=f"No-go trigger raised on {locked.gate.name}: “{locked.description}”: {locked.raised_reason}",
            data={"gate": locked.gate_id, "trigger": locked.pk, "reason": locked.raised_reason},
        )
    return locked


def trigger_clear(trigger: NoGoTrigger | int, *, by: User, reason: str) -> NoGoTrigger:
    """Clear a raised no-go trigger, with a reason. Clearing a clear trigger changes nothing."""
    with transaction.atomic():
        locked = _locked_trigger(trigger)
        plan = locked.gate.plan
        require_trigger_rights(by, plan)
        if not locked.raised:
            return locked
        reason = _text(reason, "Reason")
        if not reason:
            raise ValidationError(f"Say why “{locked.description}” is cleared.")
        locked.raised = False
        locked.cleared_at, locked.cleared_by, locked.cleared_reason = timezone.now(), by, reason.strip()
        locked.save()
        event_record(
            plan,
            kind="trigger.cleared",
            actor=by,
            summary=f"No-go trigger cleared on {locked.gate.name}: “{locked.description}”: {locked.cleared_reason}",
            data={"gate": locked.gate_id, "trigger": locked.pk, "reason": locked.cleared_reason},
        )
    return locked


def gate_blockers(
    gate: Gate,
    *,
    criteria: list[Item],
    triggers: list[NoGoTrigger],
    polled_roles: list[Role],
    votes: list[Vote],
) -> list[str]:
    """Why the gate cannot pass, one human sentence per obstacle (empty: it may pass). Pure: the caller
    loads the rows, so pages and services share it without extra queries."""
    reasons: list[str] = []
    for item in criteria:
        if item.required and item.status != ItemStatus.DONE:
            reasons.append(f"Criterion “{item.title}” is {item.get_status_display().lower()}.")
    for trigger in triggers:
        if trigger.raised:
            reasons.append(f"No-go trigger “{trigger.description}” is raised.")
    by_role = {v.role_id: v for v in votes if v.poll_round == gate.poll_round}
    for role in polled_roles:
        vote = by_role.get(role.pk)
        if vote is None:
            reasons.append(f"{role.name} has not voted in poll round {gate.poll_round}.")
        elif vote.vote != "go":
            reasons.append(f"{role.name} voted NO-GO" + (f": {vote.comment}" if vote.comment else "."))
    return reasons


def gate_state(gate: Gate) -> dict:
    """Load what :func:`gate_blockers` needs for one gate (4 queries)."""
    criteria = list(Item.objects.filter(gate=gate).order_by("order", "id"))
    triggers = list(NoGoTrigger.objects.filter(gate=gate))
    polled_roles = list(gate.polled_roles.order_by("order", "name"))
    votes = list(Vote.objects.filter(gate=gate, poll_round=gate.poll_round).select_related("role"))
    return {"criteria": criteria, "triggers": triggers, "polled_roles": polled_roles, "votes": votes}


def can_decide(user: Viewer | None, gate: Gate) -> bool:
    if gate.authority_role_id is None:
        return can_coordinate(user, gate.plan)
    return can_act_for_role(user, gate.authority_role)


def require_authority(user: Viewer | None, gate: Gate) -> None:
    if not can_decide(user, gate):
        who = gate.authority_role.name if gate.authority_role is not None else "the coordinator"
        raise PermissionDenied(f"Only {who} (primary or backup) or the coordinator may run this gate's decision.")


def gate_open_poll(gate: Gate | int, *, by: User) -> Gate:
    """Open the go/no-go poll. After a NO-GO (or a closed round with votes) a fresh round starts, so old
    votes do not count again. Opening an open poll changes nothing."""
    with transaction.atomic():
        locked = _locked_gate(gate)
        require_authority(by, locked)
        if locked.status == GateStatus.POLLING:
            return locked
        if locked.status == GateStatus.PASSED:
            raise ValidationError(f"{locked.name} has already passed.")
        if locked.status == GateStatus.NO_GO or Vote.objects.filter(gate=locked, poll_round=locked.poll_round).exists():
            locked.poll_round += 1
        locked.status = GateStatus.POLLING
        locked.save(update_fields=["status", "poll_round"])
        event_record(
            locked.plan,
            kind="gate.poll_opened",
            actor=by,
            role=locked.authority_role,
            summary=f"Go/no-go poll opened for {locked.name} (round {locked.poll_round})",
            data={"gate": locked.pk, "round": locked.poll_round},
        )
    return locked


def vote_cast(gate: Gate | int, *, role: Role, by: User, vote: str, comment: str = "") -> Vote:
    """A polled role answers GO or NO-GO in the current round. Answering again changes the answer; the
    same answer twice records one event."""
    if vote not in {"go", "no_go"}:
        raise ValidationError("A vote is GO or NO-GO.")
    with transaction.atomic():
        locked = _locked_gate(gate)
        require_role(by, role)
        if role.plan_id != locked.plan_id or not locked.polled_roles.filter(pk=role.pk).exists():
            raise ValidationError(f"{role.name} is not polled at {locked.name}.")
        if locked.status != GateStatus.POLLING:
            raise ValidationError(f"The poll for {locked.name} is not open.")
        comment = _text(comment, "Comment")
        if vote == "no_go" and not comment:
            raise ValidationError("Say why you vote NO-GO.")
        existing = Vote.objects.filter(gate=locked, role=role, poll_round=locked.poll_round).first()
        if existing is not None and existing.vote == vote and existing.comment == comment:
            return existing
        now = timezone.now()
        if existing is None:
            existing = Vote.objects.create(
                gate=locked,
                role=role,
                poll_round=locked.poll_round,
                vote=vote,
                comment=comment,
                voted_by=by,
                voted_at=now,
            )
        else:
            existing.vote, existing.comment, existing.voted_by, existing.voted_at = vote, comment, by, now
            existing.save(update_fields=["vote", "comment", "voted_by", "voted_at"])
        label = "GO" if vote == "go" else "NO-GO"
        event_record(
            locked.plan,
            kind="gate.voted",
            actor=by,
            role=role,
            summary=f"{role.name} votes {label} on {locked.name}" + (f": {comment}" if comment else ""),
            data={"gate": locked.pk, "round": locked.poll_round, "vote": vote, "comment": comment},
        )
    return existing


def gate_decide(gate: Gate | int, *, by: User, decision: str, reason: str = "") -> Gate:
    """The authority role's decision. GO passes the gate only when nothing blocks it (the refusal names
    each blocker); NO-GO records why and puts the launch on hold."""
    if decision not in {"go", "no_go"}:
        raise ValidationError("A decision is GO or NO-GO.")
    with transaction.atomic():
        locked = _locked_gate(gate)
        require_authority(by, locked)
        reason = _text(reason, "Reason")
        if decision == "go":
            if locked.status == GateStatus.PASSED:
                return locked
            blockers = gate_blockers(locked, **gate_state(locked))
            if blockers:
                raise ValidationError(f"{locked.name} cannot pass: " + " ".join(blockers))
        elif not reason:
            raise ValidationError("Say why the decision is NO-GO.")
        locked.status = GateStatus.PASSED if decision == "go" else GateStatus.NO_GO
        locked.decision, locked.decided_at, locked.decided_by = decision, timezone.now(), by
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decision", "decided_at", "decided_by", "decision_reason"])
        label = "GO" if decision == "go" else "NO-GO"
        event_record(
            locked.plan,
            kind="gate.decided",
            actor=by,
            role=locked.authority_role,
            summary=f"{locked.name}: {label}" + (f": {reason}" if reason else ""),
            data={"gate": locked.pk, "round": locked.poll_round, "decision": decision, "reason": reason},
        )
        if decision == "no_go" and locked.plan.status in {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN}:
            hold_start(locked.plan, by=by, reason=f"NO-GO at {locked.name}: {reason}", system=True)
    return locked


def checklist_items_save(checklist: Checklist, *, by: User, saved: list[Item], deleted: list[Item]) -> None:
    """The admin's item inline of one checklist: save the added and changed items (their plan is the
    checklist's) and delete the removed ones, in one transaction with one event. Who may call it is the
    admin's plan scope (plans.admin.PlanScopedAdmin); the item's status is read-only there."""
    if not saved and not deleted:
        return
    with transaction.atomic():
        for item in saved:
            item.plan_id = checklist.plan_id  # denormalised from the checklist
            item.save()
        for item in deleted:
            item.delete()
        event_record(
            checklist.plan,
            kind="admin.changed",
            actor=by,
            summary=f"Items of checklist “{checklist.name}” changed in the admin",
            data={"checklist": checklist.pk, "saved": [i.pk for i in saved], "deleted": len(deleted)},
        )
