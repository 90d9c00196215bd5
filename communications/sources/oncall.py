"""Reminders of recurring items and on-call shifts (issue 16).

- ``occurrence.due`` / ``occurrence.overdue``: each occurrence of a recurring item (checklists.series) is
  reminded once, the plan's reminder lead before its time, and once more if it is still not ticked a
  moment after it (``REMINDER_OVERDUE_GRACE_MINUTES``), like a one-off item. They go to whoever is on
  call for the owner role at the occurrence's time (roles.rota), else to the role's primary and backup.
  The occurrence's number is in the recipient (``user:<pk>:o<index>``): one row per person and occurrence.
- ``shift.start``: whoever starts an on-call shift is reminded once, the reminder lead before it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from plans.slips import planned_label

from .registry import DeliverySpec, fixed, holder_email, overdue_grace, register_relevance, register_source, when
from .reminders import deep_link

if TYPE_CHECKING:
    from plans.models import Plan

    from ..models import Delivery


@register_source
def occurrence_reminders(
    plan: Plan, start: datetime, end: datetime, *, limit: int | None = None
) -> Iterator[DeliverySpec]:
    """Each occurrence's reminder and overdue notice in ``(start, end]``; at most ``limit`` occurrences of
    one series (the communications page shows the first few)."""
    from checklists.models import Recurrence
    from checklists.series.state import ticked_indexes
    from checklists.series.times import grace_of, series_moments
    from roles.rota.oncall import on_call_at, page_people, plan_shifts

    if not plan.pk or plan.clockless:
        return
    rules = list(
        Recurrence.objects.filter(plan=plan).select_related(
            "item__owner_role__primary",
            "item__owner_role__backup",
            "item__checklist__role__primary",
            "item__checklist__role__backup",
        )
    )
    if not rules:
        return
    lead, grace = plan.reminder_lead, overdue_grace()
    ticks = ticked_indexes(r.item_id for r in rules)
    shifts = plan_shifts(plan)
    for rule in rules:
        item = rule.item
        role = item.owner_role or item.checklist.role
        if role is None:
            continue
        dues = series_moments(plan, rule)
        url = deep_link(plan, role, "item", item.pk)
        shown = 0
        for i, due in enumerate(dues):
            if limit is not None and shown >= limit:
                break
            reminded, late = due - lead, due + grace
            if i in ticks.get(item.pk, {}) or not (start < reminded <= end or start < late <= end):
                continue
            shown += 1
            missed_from = due + grace_of(dues, i, rule.grace)
            what = f"{item.title} #{i + 1} of {len(dues)}"
            on_call = on_call_at(shifts, due).get(role.pk)
            for user, which in page_people(role, on_call):
                common: dict[str, Any] = {"source_id": item.pk, "anchor": due, "recipient": f"user:{user.pk}:o{i}"}
                if start < reminded <= end:
                    yield holder_email(
                        user,
                        role,
                        which,
                        source_kind="occurrence.due",
                        due_at=reminded,
                        expires_at=late,
                        label=f"Reminder: {what} due {when(plan, due)}",
                        render=fixed(
                            f"[{plan.name}] Due at {when(plan, due)}: {what}",
                            f"{what}\n\nDue {when(plan, due)} (repeats; owner {role.name}).\n\n{url}",
                        ),
                        **common,
                    )
                if start < late <= end and late < missed_from:
                    yield holder_email(
                        user,
                        role,
                        which,
                        source_kind="occurrence.overdue",
                        due_at=late,
                        expires_at=missed_from,
                        label=f"Overdue: {what}",
                        render=fixed(
                            f"[{plan.name}] OVERDUE since {when(plan, due)}: {what}",
                            f"{what}\n\nWas due {when(plan, due)} and is not ticked; it counts as missed from "
                            f"{when(plan, missed_from)}.\n\n{url}",
                        ),
                        **common,
                    )


@register_source
def shift_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from roles.models import Shift

    if not plan.pk or plan.clockless:
        return
    lead = plan.reminder_lead
    shifts = Shift.objects.filter(plan=plan, person__isnull=False).select_related("role", "person", "backup")
    for shift in shifts.order_by("start", "id"):
        begins, ends = plan.at(shift.start), plan.at(shift.end)
        if not start < begins - lead <= end or shift.person is None:
            continue
        backup = f", backed up by {shift.backup.get_full_name() or shift.backup.get_username()}" if shift.backup else ""
        yield holder_email(
            shift.person,
            shift.role,
            "on call",
            source_kind="shift.start",
            source_id=shift.pk,
            due_at=begins - lead,
            expires_at=ends,
            anchor=begins,
            label=f"On call: {shift.role.name} from {when(plan, begins)}",
            render=fixed(
                f"[{plan.name}] You are on call as {shift.role.name} from {when(plan, begins)}",
                f"Your on-call shift as {shift.role.name} runs from {when(plan, begins)} to {when(plan, ends)} "
                f"({planned_label(plan, shift.start)} to {planned_label(plan, shift.end)}){backup}. Escalations "
                f"and pages for {shift.role.name} come to you.",
            ),
        )


def _occurrence_open(delivery: Delivery) -> str | None:
    from checklists.models import Item, Occurrence

    if not Item.objects.filter(pk=delivery.source_id).exists():
        return "the item was deleted"
    _, _, index = delivery.recipient.rpartition(":o")
    if index.isdigit() and Occurrence.objects.filter(item_id=delivery.source_id, index=int(index)).exists():
        return "the occurrence is already ticked"
    return None


def _shift_still_theirs(delivery: Delivery) -> str | None:
    from roles.models import Shift

    shift = Shift.objects.filter(pk=delivery.source_id).only("person_id").first()
    if shift is None:
        return "the shift was deleted"
    if delivery.recipient != f"user:{shift.person_id}":
        return "someone else took the shift"
    return None


register_relevance("occurrence.due", _occurrence_open)
register_relevance("occurrence.overdue", _occurrence_open)
register_relevance("shift.start", _shift_still_theirs)
