"""Writes for runbook content (issue 10): pulling and clearing discretionary rollback triggers, setting a
threshold a template left blank, filling placeholders, ticking a called procedure's steps. Each checks
permission, writes inside ``transaction.atomic()`` and records an event (which bumps the revision)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField
from django.utils import timezone

from ..models import Placeholder, Plan, ProcedureStep, RollbackTrigger
from ..permissions import can_coordinate, require_coordinator
from ..services import event_record
from ..validators import check_number, clean_text
from .values import placeholder_value

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ..permissions import Viewer

REASON_MAX = 2000


def can_pull_trigger(user: Viewer | None, trigger: RollbackTrigger) -> bool:
    """The coordinator, and the holders (primary or backup) of the roles the plan names for the trigger;
    a trigger that names no role may be pulled by anyone holding a role in the plan."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if can_coordinate(user, trigger.plan):
        return True
    roles = list(trigger.roles.all())
    if not roles:
        from roles.permissions import holds_any_role

        return holds_any_role(user, trigger.plan_id)
    return any(user.pk in (role.primary_id, role.backup_id) for role in roles)


def require_trigger_puller(user: Viewer | None, trigger: RollbackTrigger) -> None:
    if not can_pull_trigger(user, trigger):
        names = ", ".join(r.name for r in trigger.roles.all()) or "a role in this launch"
        raise PermissionDenied(f"Only {names} or the coordinator may raise or clear “{trigger.description}”.")


def _reason(reason: str) -> str:
    text = clean_text(reason, max_length=REASON_MAX, multiline=True, field="Reason")
    if not text:
        raise ValidationError("Say why.")
    return text


def _locked(trigger: RollbackTrigger | int) -> RollbackTrigger:
    pk = trigger.pk if isinstance(trigger, RollbackTrigger) else trigger
    return RollbackTrigger.objects.select_for_update(of=("self",)).select_related("plan").get(pk=pk)


def rollback_trigger_raise(trigger: RollbackTrigger | int, *, by: User, reason: str, via: str = "") -> RollbackTrigger:
    """A person pulls a discretionary trigger: the board shows the alarm with the trigger's action.
    Raising a raised trigger changes nothing. ``via``: what raised it for ``by``, if not them (``"alert"``: an
    alert route, api.services.alerts), kept in the event (plans.runbook.selectors.trigger_raised_via)."""
    with transaction.atomic():
        locked = _locked(trigger)
        require_trigger_puller(by, locked)
        if not locked.discretionary:
            raise ValidationError("This trigger is automatic: its metric's readings raise it.")
        text = _reason(reason)
        if locked.raised_at is not None:
            return locked
        locked.raised_at, locked.raised_by, locked.raised_reason = timezone.now(), by, text
        locked.save(update_fields=["raised_at", "raised_by", "raised_reason"])
        action = f" → {locked.action}" if locked.action else ""
        event_record(
            locked.plan,
            kind="rollback.raised",
            actor=by,
            summary=f"ROLLBACK TRIGGER PULLED: {locked.description}{action}: {text}",
            data={"trigger": locked.pk, "reason": text, "action": locked.action, **({"via": via} if via else {})},
        )
    return locked


def rollback_trigger_clear(trigger: RollbackTrigger | int, *, by: User, reason: str) -> RollbackTrigger:
    """Stand a raised trigger down, with a reason. Clearing a clear trigger changes nothing."""
    with transaction.atomic():
        locked = _locked(trigger)
        require_trigger_puller(by, locked)
        text = _reason(reason)
        if locked.raised_at is None:
            return locked
        locked.raised_at, locked.raised_by, locked.raised_reason = None, None, ""
        locked.save(update_fields=["raised_at", "raised_by", "raised_reason"])
        event_record(
            locked.plan,
            kind="rollback.cleared",
            actor=by,
            summary=f"Rollback trigger cleared: {locked.description}: {text}",
            data={"trigger": locked.pk, "reason": text},
        )
    return locked


def rollback_trigger_set_threshold(
    trigger: RollbackTrigger | int, *, by: User, threshold: Decimal | float | str
) -> RollbackTrigger:
    """Fill in a threshold a template left blank (or change one). Coordinator only."""
    column = RollbackTrigger._meta.get_field("threshold")
    assert isinstance(column, DecimalField)
    with transaction.atomic():
        locked = _locked(trigger)
        require_coordinator(by, locked.plan)
        amount = check_number(
            threshold, max_digits=column.max_digits or 14, decimal_places=column.decimal_places or 0, field="Threshold"
        )
        locked.threshold = amount
        locked.save(update_fields=["threshold"])
        event_record(
            locked.plan,
            kind="rollback.threshold",
            actor=by,
            summary=f"Rollback trigger threshold set: {locked.description}: {locked.comparator} {amount.normalize():f}",
            data={"trigger": locked.pk, "threshold": str(amount)},
        )
    return locked


def placeholder_fill(placeholder: Placeholder | int, *, by: User, value: str) -> Placeholder:
    """Set (or, with an empty value, clear) a placeholder's value. Coordinator only; links http(s) only."""
    with transaction.atomic():
        pk = placeholder.pk if isinstance(placeholder, Placeholder) else placeholder
        locked = Placeholder.objects.select_for_update(of=("self",)).select_related("plan").get(pk=pk)
        require_coordinator(by, locked.plan)
        locked.value = placeholder_value(locked.kind, value, field=locked.title)
        locked.save(update_fields=["value"])
        event_record(
            locked.plan,
            kind="placeholder.filled" if locked.value else "placeholder.cleared",
            actor=by,
            summary=f"{locked.title}: {locked.shown}" if locked.value else f"{locked.title} cleared",
            data={"placeholder": locked.name, "value": locked.shown},
        )
    return locked


def placeholders_mark_secret(plan: Plan, names: Iterable[str]) -> int:
    """Mark the plan's placeholders ``names`` secret: a notification route sends to them (a webhook URL, a
    paging key), so no page, log line or text shows their value from now on. Never unmarked by this (a
    value once a secret stays hidden). Called by whatever saves a route: the importer and the admin."""
    wanted = sorted({n for n in names if n})
    if not wanted:
        return 0
    with transaction.atomic():
        return Placeholder.objects.filter(plan=plan, name__in=wanted, secret=False).update(secret=True)


def procedure_step_mark(step: ProcedureStep | int, *, by: User, done: bool) -> ProcedureStep:
    """Tick (or untick) a step of a called procedure: its lead role's holders or the coordinator."""
    from roles.permissions import require_role

    with transaction.atomic():
        pk = step.pk if isinstance(step, ProcedureStep) else step
        locked = (
            ProcedureStep.objects.select_for_update(of=("self",))
            .select_related("procedure__plan", "lead_role", "procedure__lead_role")
            .get(pk=pk)
        )
        plan = locked.procedure.plan
        require_role(by, locked.lead_role or locked.procedure.lead_role, plan=plan)
        if (locked.done_at is not None) == done:
            return locked
        locked.done_at, locked.done_by = (timezone.now(), by) if done else (None, None)
        locked.save(update_fields=["done_at", "done_by"])
        event_record(
            plan,
            kind="procedure.step",
            actor=by,
            summary=f"{locked.procedure.name}: {locked.name} {'done' if done else 'reopened'}",
            data={"procedure": locked.procedure_id, "step": locked.pk, "done": done},
        )
    return locked
