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
    from datetime import datetime

    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role


def _tickable_slot(plan: Plan, rule: Recurrence, index: int, title: str, now: datetime) -> tuple[datetime, bool, str]:
    """Occurrence ``index`` of a series (an item's or a step's) as a tick needs it: its due time, whether a
    tick now is late (its grace has passed), and its time as the messages write it. Refused when the series
    has no such occurrence, or before the plan's reminder lead ahead of it."""
    slot = slot_at(plan, rule, index)
    if slot is None:
        raise ValidationError(f"“{title}” has no occurrence #{index + 1}.")
    due, missed_from = slot
    when = f"{plan.local(due):%a %H:%M}"
    if now < due - plan.reminder_lead:
        raise ValidationError(f"Occurrence #{index + 1} of “{title}” ({when}) is not due yet.")
    return due, now > missed_from, when


def _locked_series(pk: int, by: User) -> tuple[Item, Recurrence, Role | None]:
    """The recurring item, locked, with its rule and role, once ``by`` may act for the role."""
    locked = (
        Item.objects.select_for_update(of=("self",)).select_related("plan", "owner_role", "checklist__role").get(pk=pk)
    )
    role = item_role(locked)
    require_role(by, role, plan=locked.plan)
    rule = Recurrence.objects.filter(item=locked).first()
    if rule is None:
        raise ValidationError(f"“{locked.title}” does not repeat: tick the item itself.")
    return locked, rule, role


def item_occurrence_tick(item: Item | int, *, index: int, by: User, note: str = "") -> Occurrence:
    """Tick occurrence ``index`` (0 is the first) of a recurring item: the role's primary or backup, or the
    coordinator. It may be ticked from the plan's reminder lead before its time; ticked after it was missed
    (its grace passed) it counts as done late, not missed, and the event says so. Ticking a ticked
    occurrence changes nothing (a double click records one tick)."""
    pk = item.pk if isinstance(item, Item) else item
    with transaction.atomic():
        locked, rule, role = _locked_series(pk, by)
        existing = Occurrence.objects.filter(item=locked, index=index).first()
        if existing is not None:
            return existing
        plan, now = locked.plan, timezone.now()
        due, late, when = _tickable_slot(plan, rule, index, locked.title, now)
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
            summary=f"Ticked “{locked.title}” #{index + 1} (due {when})"
            + (" late, after it was missed" if late else ""),
            data={"item": locked.pk, "occurrence": index, "due": due.isoformat(), "late": late},
        )
    return tick


def item_occurrence_untick(item: Item | int, *, index: int, by: User, reason: str = "") -> bool:
    """Take back the tick of occurrence ``index``: the role's primary or backup, or the coordinator. The
    event keeps who ticked it and when, who took it back and why. False when it was not ticked."""
    pk = item.pk if isinstance(item, Item) else item
    with transaction.atomic():
        locked, _rule, role = _locked_series(pk, by)
        tick = Occurrence.objects.filter(item=locked, index=index).select_related("done_by").first()
        if tick is None:
            return False
        plan = locked.plan
        ticked_by = tick.done_by.get_full_name() or tick.done_by.username if tick.done_by else "someone"
        why = _text(reason, "Reason").strip()
        tick.delete()
        locked.version += 1
        locked.save(update_fields=["version"])
        event_record(
            plan,
            kind="item.occurrence_unticked",
            actor=by,
            role=role,
            summary=f"Took back the tick of “{locked.title}” #{index + 1} (ticked by {ticked_by} at "
            f"{plan.local(tick.done_at):%a %H:%M})" + (f": {why}" if why else ""),
            data={
                "item": locked.pk,
                "occurrence": index,
                "ticked_at": tick.done_at.isoformat(),
                "ticked_by": tick.done_by_id,
                "reason": why,
            },
        )
    return True
