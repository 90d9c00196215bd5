"""Writes for checklists, items, steps and gates. Each checks permission, runs in a transaction,
records an Event and bumps the plan's revision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import Step, StepStatus
from plans.services import record
from roles.permissions import require_role

from .models import Item, ItemStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class StaleWrite(ValidationError):
    """The page that sent the write showed an older state of the row than the database holds."""


def _locked_item(item: Item | int) -> Item:
    pk = item.pk if isinstance(item, Item) else item
    return Item.objects.select_for_update().select_related("plan", "owner_role", "checklist__role").get(pk=pk)


def item_role(item: Item):
    return item.owner_role or item.checklist.role


def item_set_status(
    item: Item | int,
    *,
    by: AbstractBaseUser,
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
        require_role(by, role)
        if locked.status == status and (note is None or note == locked.note):
            return locked
        if expected_version is not None and expected_version != locked.version and locked.status != status:
            raise StaleWrite(
                f"“{locked.title}” was changed by someone else since this page was loaded; it is now "
                f"{locked.get_status_display().lower()}."
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
        record(
            locked.plan,
            kind=f"item.{verb}" if previous != status else "item.noted",
            actor=by,
            role=role,
            summary=f"{'Note on' if previous == status else verb.capitalize()} “{locked.title}”"
            + (f": {locked.note}" if note else ""),
            data={"item": locked.pk, "from": previous, "to": status},
        )
    return locked


def item_tick(
    item: Item | int, *, by: AbstractBaseUser, note: str | None = None, expected_version: int | None = None
) -> Item:
    return item_set_status(item, by=by, status=ItemStatus.DONE, note=note, expected_version=expected_version)


def item_untick(item: Item | int, *, by: AbstractBaseUser, expected_version: int | None = None) -> Item:
    return item_set_status(item, by=by, status=ItemStatus.OPEN, expected_version=expected_version)


def step_blockers(step: Step) -> list[Step]:
    return [d for d in step.depends_on.all() if d.status not in (StepStatus.DONE, StepStatus.SKIPPED)]


def step_start(step: Step | int, *, by: AbstractBaseUser) -> Step:
    with transaction.atomic():
        pk = step.pk if isinstance(step, Step) else step
        locked = Step.objects.select_for_update().select_related("plan", "lead_role").get(pk=pk)
        require_role(by, locked.lead_role)
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
        record(
            locked.plan,
            kind="step.started",
            actor=by,
            role=locked.lead_role,
            summary=f"Started “{locked.name}”",
            data={"step": locked.pk},
        )
    return locked


def step_finish(step: Step | int, *, by: AbstractBaseUser, note: str = "") -> Step:
    with transaction.atomic():
        pk = step.pk if isinstance(step, Step) else step
        locked = Step.objects.select_for_update().select_related("plan", "lead_role").get(pk=pk)
        require_role(by, locked.lead_role)
        if locked.status == StepStatus.DONE:
            return locked
        if locked.status != StepStatus.IN_PROGRESS:
            raise ValidationError(f"Start “{locked.name}” before finishing it.")
        locked.status = StepStatus.DONE
        locked.actual_finish = timezone.now()
        locked.finished_by = by
        if note:
            locked.note = note.strip()
        locked.save(update_fields=["status", "actual_finish", "finished_by", "note"])
        record(
            locked.plan,
            kind="step.finished",
            actor=by,
            role=locked.lead_role,
            summary=f"Finished “{locked.name}”",
            data={"step": locked.pk},
        )
    return locked
