"""Ticking, unticking and noting checklist items, and the admin's item inline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.services import event_record
from roles.permissions import require_role

from ..models import Checklist, Item, ItemStatus
from ._shared import StaleWrite, _text

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _locked_item(item: Item | int) -> Item:
    pk = item.pk if isinstance(item, Item) else item
    return (
        Item.objects.select_for_update(of=("self",)).select_related("plan", "owner_role", "checklist__role").get(pk=pk)
    )


def item_role(item: Item):
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
