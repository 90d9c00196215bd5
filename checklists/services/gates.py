"""Gates: what blocks them, the go/no-go poll and the authority's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plans.models import PlanStatus, RollbackTrigger
from plans.permissions import can_coordinate, require_coordinator
from plans.services import event_record, hold_start
from roles.models import Role
from roles.permissions import can_act_for_role, require_role

from ..models import Gate, GateKind, GateStatus, Item, ItemStatus, NoGoTrigger, Vote
from ..readiness_bars import BarState, gate_readiness, readiness_snapshot
from ._shared import _text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.permissions import Viewer


def _locked_gate(gate: Gate | int) -> Gate:
    pk = gate.pk if isinstance(gate, Gate) else gate
    return Gate.objects.select_for_update(of=("self",)).select_related("plan", "authority_role").get(pk=pk)


def gate_blockers(
    gate: Gate,
    *,
    criteria: list[Item],
    triggers: list[NoGoTrigger],
    polled_roles: list[Role],
    votes: list[Vote],
    unset: list[str] | tuple[str, ...] = (),
    readiness: list[BarState] | tuple[BarState, ...] = (),
) -> list[str]:
    """Why the gate cannot pass, one human sentence per obstacle (empty: it may pass). Pure: the caller
    loads the rows, so pages and services share it without extra queries."""
    reasons: list[str] = []
    for item in criteria:
        if item.required and item.status != ItemStatus.DONE:
            reasons.append(f"Criterion “{item.title}” is {item.get_status_display().lower()}.")
    reasons.extend(bar.blocker() for bar in readiness if not bar.met)
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
    reasons.extend(unset)
    return reasons


def gate_unset(gate: Gate) -> list[str]:
    """What the template left blank that this gate needs (2 queries): its unfilled placeholders, and for a
    go/no-go gate every rollback trigger whose threshold is not set yet."""
    reasons = [
        f"Placeholder “{p.title}” is not filled in."
        for p in gate.placeholders.filter(required=True, value="").order_by("order", "id")
    ]
    if gate.kind == GateKind.GO_NO_GO:
        blank = RollbackTrigger.objects.filter(plan_id=gate.plan_id, threshold__isnull=True).filter(
            Q(metric__isnull=False) | ~Q(comparator="")
        )
        reasons += [f"Rollback trigger “{t.description}” has no threshold yet." for t in blank.order_by("order", "id")]
    return reasons


def gate_state(gate: Gate) -> dict:
    """Load what :func:`gate_blockers` needs for one gate (8 queries)."""
    criteria = list(Item.objects.filter(gate=gate).order_by("order", "id"))
    triggers = list(NoGoTrigger.objects.filter(gate=gate))
    polled_roles = list(gate.polled_roles.order_by("order", "name"))
    votes = list(Vote.objects.filter(gate=gate, poll_round=gate.poll_round).select_related("role"))
    return {
        "criteria": criteria,
        "triggers": triggers,
        "polled_roles": polled_roles,
        "votes": votes,
        "unset": gate_unset(gate),
        "readiness": gate_readiness(gate),
    }


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
        data = {"gate": locked.pk, "round": locked.poll_round, "decision": decision, "reason": reason}
        event_record(
            locked.plan,
            kind="gate.decided",
            actor=by,
            role=locked.authority_role,
            summary=f"{locked.name}: {label}" + (f": {reason}" if reason else ""),
            data={**data, "readiness": snapshot} if (snapshot := readiness_snapshot(locked)) else data,
        )
        if decision == "no_go" and locked.plan.status in {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN}:
            hold_start(
                locked.plan, by=by, reason=f"NO-GO at {locked.name}: {reason}", system=True, cause={"gate": locked.pk}
            )
    return locked


def gate_reopen(gate: Gate | int, *, by: User, reason: str) -> Gate:
    """A coordinator takes back a decided gate (passed or NO-GO), saying why: it is pending again with a
    fresh poll round (old votes do not count), and the decision it had stays in the activity log."""
    with transaction.atomic():
        locked = _locked_gate(gate)
        require_coordinator(by, locked.plan)
        reason = _text(reason, "Reason")
        if not reason:
            raise ValidationError("Say why the gate is reopened.")
        if locked.status not in {GateStatus.PASSED, GateStatus.NO_GO}:
            raise ValidationError(f"{locked.name} is not decided: there is nothing to reopen.")
        was = locked.get_status_display()
        locked.status = GateStatus.PENDING
        locked.poll_round += 1
        locked.decision, locked.decided_at, locked.decided_by, locked.decision_reason = "", None, None, ""
        fields = ["status", "poll_round", "decision", "decided_at", "decided_by", "decision_reason"]
        locked.save(update_fields=fields)
        event_record(
            locked.plan,
            kind="gate.reopened",
            actor=by,
            role=locked.authority_role,
            summary=f"{locked.name} reopened (was {was}): {reason}",
            data={"gate": locked.pk, "round": locked.poll_round, "was": was, "reason": reason},
        )
    return locked
