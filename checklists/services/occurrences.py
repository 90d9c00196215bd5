"""Ticking one occurrence of a recurring item (checklists.series)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.services import event_record
from roles.permissions import require_role

from ..models import Item, Occurrence, Recurrence
from ..series.times import slot_at
from ._shared import _text
from .items import item_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def item_occurrence_tick(item: Item | int, *, index: int, by: User, note: str = "") -> Occurrence:
    """Tick occurrence ``index`` (0 is the first) of a recurring item: the role's primary or backup, or the
    coordinator. It may be ticked from the plan's reminder lead before its time until it is missed (its
    grace passed). Ticking a ticked occurrence changes nothing (a double click records one tick)."""
    pk = item.pk if isinstance(item, Item) else item
    with transaction.atomic():
        locked = (
            Item.objects.select_for_update(of=("self",))
            .select_related("plan", "owner_role", "checklist__role")
            .get(pk=pk)
        )
        role = item_role(locked)
        require_role(by, role, plan=locked.plan)
        rule = Recurrence.objects.filter(item=locked).first()
        if rule is None:
            raise ValidationError(f"“{locked.title}” does not repeat: tick the item itself.")
        existing = Occurrence.objects.filter(item=locked, index=index).first()
        if existing is not None:
            return existing
        plan, now = locked.plan, timezone.now()
        slot = slot_at(plan, rule, index)
        if slot is None:
            raise ValidationError(f"“{locked.title}” has no occurrence #{index + 1}.")
        due, missed_from = slot
        when = f"{plan.local(due):%a %H:%M}"
        if now < due - plan.reminder_lead:
            raise ValidationError(f"Occurrence #{index + 1} of “{locked.title}” ({when}) is not due yet.")
        if now > missed_from:
            raise ValidationError(f"Occurrence #{index + 1} of “{locked.title}” ({when}) was missed; it stays missed.")
        tick = Occurrence.objects.create(
            item=locked, index=index, due_at=due, done_at=now, done_by=by, note=_text(note, "Note").strip()
        )
        locked.version += 1
        locked.save(update_fields=["version"])
        event_record(
            plan,
            kind="item.occurrence_ticked",
            actor=by,
            role=role,
            summary=f"Ticked “{locked.title}” #{index + 1} (due {when})",
            data={"item": locked.pk, "occurrence": index, "due": due.isoformat()},
        )
    return tick
