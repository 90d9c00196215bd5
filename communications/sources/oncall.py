"""Reminders of recurring items and on-call shifts (issue 16).

- ``occurrence.due`` / ``occurrence.overdue``: each occurrence of a recurring item (checklists.series) is
  reminded once, the plan's reminder lead before its time, and once more if it is still not ticked a
  moment after it (``REMINDER_OVERDUE_GRACE_MINUTES``), like a one-off item. They go to whoever is on
  call for the owner role at the occurrence's time (roles.rota), else to the role's primary and backup.
  The occurrence's number is in the recipient (``user:<pk>:o<index>``): one row per person and occurrence.
- ``step_occurrence.due`` / ``step_occurrence.overdue``: the same for each occurrence of a recurring step,
  to its lead role.
- ``shift.start``: whoever starts an on-call shift is reminded once, the reminder lead before it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from plans.slips import planned_label

from .registry import DeliverySpec, fixed, holder_email, overdue_grace, register_relevance, register_source, when
from .reminders import deep_link

if TYPE_CHECKING:
    from plans.models import Plan

    from ..models import Delivery


#: (due kind, overdue kind) per what a series repeats: a step's reminders name the step (checklists.series).
KINDS = {"item": ("occurrence.due", "occurrence.overdue"), "step": ("step_occurrence.due", "step_occurrence.overdue")}


@register_source
def occurrence_reminders(
    plan: Plan, start: datetime, end: datetime, *, limit: int | None = None
) -> Iterator[DeliverySpec]:
    """Each occurrence's reminder and overdue notice in ``(start, end]`` (of recurring items and steps); at
    most ``limit`` occurrences of one series (the communications page shows the first few)."""
    from checklists.models import Recurrence
    from checklists.series.state import rule_key, rule_role, rule_title, rules_ticks
    from checklists.series.times import series_moments
    from roles.rota.oncall import plan_shifts

    if not plan.pk or plan.clockless:
        return
    plan_rules = Recurrence.objects.filter(plan=plan)
    if not plan_rules.exists():  # most plans repeat nothing: one plain query each tick, not an 11-table join
        return
    rules = list(
        plan_rules.select_related(
            "item__owner_role__primary",
            "item__owner_role__backup",
            "item__checklist__role__primary",
            "item__checklist__role__backup",
            "step__lead_role__primary",
            "step__lead_role__backup",
        )
    )
    ticks = rules_ticks(rules)
    shifts = plan_shifts(plan)
    for rule in rules:
        role = rule_role(rule)
        if role is None:
            continue
        kind, pk = rule_key(rule)
        dues = series_moments(plan, rule)
        series = _Series(kind, pk, rule_title(rule), role, dues, rule.grace, ticks.get((kind, pk), {}))
        yield from _series_specs(plan, series, start, end, limit, shifts)


class _Series(NamedTuple):
    kind: str
    pk: int
    title: str
    role: Any
    dues: list[datetime]
    grace: timedelta | None
    ticked: dict[int, datetime]


def _series_specs(
    plan: Plan, series: _Series, start: datetime, end: datetime, limit: int | None, shifts: Any
) -> Iterator[DeliverySpec]:
    from checklists.series.times import grace_of
    from roles.rota.oncall import on_call_at, page_people

    lead, grace = plan.reminder_lead, overdue_grace()
    role, dues, (due_kind, overdue_kind) = series.role, series.dues, KINDS[series.kind]
    url = deep_link(plan, role, series.kind, series.pk)
    shown = 0
    for i, due in enumerate(dues):
        if limit is not None and shown >= limit:
            break
        reminded, late = due - lead, due + grace
        if i in series.ticked or not (start < reminded <= end or start < late <= end):
            continue
        shown += 1
        missed_from = due + grace_of(dues, i, series.grace)
        what = f"{series.title} #{i + 1} of {len(dues)}"
        on_call = on_call_at(shifts, due).get(role.pk)
        for user, which in page_people(role, on_call):
            common: dict[str, Any] = {"source_id": series.pk, "anchor": due, "recipient": f"user:{user.pk}:o{i}"}
            if start < reminded <= end:
                yield holder_email(
                    user,
                    role,
                    which,
                    source_kind=due_kind,
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
                    source_kind=overdue_kind,
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


def _step_occurrence_open(delivery: Delivery) -> str | None:
    from checklists.models import Occurrence
    from plans.models import Step

    if not Step.objects.filter(pk=delivery.source_id).exists():
        return "the step was deleted"
    _, _, index = delivery.recipient.rpartition(":o")
    if index.isdigit() and Occurrence.objects.filter(step_id=delivery.source_id, index=int(index)).exists():
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
register_relevance("step_occurrence.due", _step_occurrence_open)
register_relevance("step_occurrence.overdue", _step_occurrence_open)
register_relevance("shift.start", _shift_still_theirs)
