"""No-go triggers: raised and cleared by anyone who holds a role in the launch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import Plan
from plans.permissions import can_coordinate
from plans.services import event_record
from roles.permissions import holds_any_role

from ..models import NoGoTrigger
from ._shared import _text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.permissions import Viewer


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
