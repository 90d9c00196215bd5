"""T-minus and overdue reminders of open checklist items and unfinished steps, to the primary and backup of
the role that owns or leads them, with the checks that drop a reminder once it no longer matters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q

from plans.duedates import due_label
from plans.lateness import item_due, step_late_from
from plans.runbook.fill import fill_text
from plans.slips import planned_label
from plans.wallclock import near_q

from .registry import (
    DeliverySpec,
    fixed,
    holder_email,
    holders,
    overdue_grace,
    register_relevance,
    register_source,
    when,
)

if TYPE_CHECKING:
    from plans.models import Plan

    from ..models import Delivery


@dataclass(frozen=True)
class _Reminded:
    """What a T-minus and an overdue reminder are about: one item or step of the plan, the role whose primary
    and backup are reminded, and the time the reminders are anchored on."""

    plan: Plan
    source: str  # "item" or "step": the deliveries' source_kind is "<source>.<stage>"
    pk: int
    role: Any
    anchor: datetime

    def specs(
        self, stage: str, *, due_at: datetime, expires_at: datetime | None, what: str, subject: str, body: str
    ) -> Iterator[DeliverySpec]:
        """One email a holder of the role, sent at ``due_at``, useful until ``expires_at`` (None: until the
        relevance check drops it)."""
        for user, which in holders(self.role):
            yield holder_email(
                user,
                self.role,
                which,
                source_kind=f"{self.source}.{stage}",
                source_id=self.pk,
                due_at=due_at,
                label=what,
                anchor=self.anchor,
                expires_at=expires_at,
                render=fixed(subject, body),
            )


@register_source
def item_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from checklists.models import Item, ItemStatus

    lead, grace = plan.reminder_lead, overdue_grace()
    # T-minus: due_at = due - lead in (start, end]  <=>  due in (start + lead, end + lead]
    # Overdue: due_at = due + grace in (start, end] <=>  due in (start - grace, end - grace]
    # where due = plan.at(due_offset) (whole days on the plan's calendar, the time the role page shows),
    # or a clockless plan's absolute due_by.
    # The query reads a day more each side of the offsets' windows (near_q: cheap to compile, which a tick
    # does for every plan each minute); the loop keeps the items whose due moment is in a window (specs_for
    # keeps only the sends in (start, end], which are exactly those).
    windows = ((start + lead, end + lead), (start - grace, end - grace))
    near = Q()
    for lo, hi in windows:
        near |= near_q(plan, "due_offset", lo, hi) | Q(due_by__gt=lo, due_by__lte=hi)
    items = (
        Item.objects.filter(near, plan=plan, status=ItemStatus.OPEN, owner_role__isnull=False)
        .select_related("owner_role__primary", "owner_role__backup")
        .order_by("due_by", "due_offset", "id")
    )
    for item in items:
        owner = item.owner_role
        due = item_due(plan, item.due_offset, item.due_by)
        if owner is None or due is None or not any(lo < due <= hi for lo, hi in windows):
            continue
        texts = _item_texts(plan, item, due)
        url = deep_link(plan, owner, "item", item.pk)
        title = fill_text(plan, item.title)  # placeholders' values (plans.runbook.fill)
        about = _Reminded(plan, "item", item.pk, owner, anchor=due)
        yield from about.specs(
            "due",
            due_at=due - lead,
            expires_at=due + grace,  # useful until the overdue reminder takes over (and while the item is open)
            what=f"Reminder: {title} due {texts['due']}",
            subject=f"[{plan.name}] Due {texts['at']}: {title}",
            body=f"{title}\n\nDue {texts['said']}, owner {owner.name}.\n\n{url}",
        )
        yield from about.specs(
            "overdue",
            due_at=due + grace,
            expires_at=None,  # useful until the item is done (checked just before sending)
            what=f"Overdue: {title}",
            subject=f"[{plan.name}] OVERDUE {texts['since']}: {title}",
            body=f"{title}\n\nWas due {texts['said']} and is still open; owner {owner.name}.\n\n{url}",
        )


def _item_texts(plan: Plan, item: Any, due: datetime) -> dict[str, str]:
    """How a reminder names an item's due time: ``T-7d`` and the moment, or a clockless plan's due date
    (``by the end of Tue 1 Dec`` for a whole day, ``Tue 1 Dec 17:00 GMT``)."""
    if item.due_by is not None and item.due_all_day:
        day = f"by the end of {due_label(due, True, plan.zone)}"
        return {"due": day, "at": day, "said": day, "since": f"(was due {day})"}
    if item.due_by is not None:
        moment = due_label(due, False, plan.zone)
        return {"due": moment, "at": f"at {moment}", "said": moment, "since": f"since {moment}"}
    planned, moment = planned_label(plan, item.due_offset), when(plan, due)
    return {"due": planned, "at": f"at {moment}", "said": f"{planned} ({moment})", "since": f"since {moment}"}


@register_source
def step_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from plans.models import Step, StepStatus

    lead, grace = plan.reminder_lead, overdue_grace()
    # Coarse (a step may last long); specs_for keeps only the sends due in (start, end]. The steps that start in
    # (lo, hi]: read with near_q (a day wider, cheap to compile) and kept exactly by their start below.
    lo, hi = start - grace - timedelta(days=30), end + lead
    steps = (
        Step.objects.filter(
            near_q(plan, "offset", lo, hi),
            plan=plan,
            status__in=[StepStatus.PENDING, StepStatus.IN_PROGRESS],
            lead_role__isnull=False,
        )
        .select_related("lead_role__primary", "lead_role__backup")
        .order_by("offset", "id")
    )
    for step in steps:
        lead_role = step.lead_role
        begin = plan.at(step.offset)
        if lead_role is None or not lo < begin <= hi:
            continue
        finish = begin + step.duration
        late_from = step_late_from(plan, step.offset, step.duration, step.status)
        if late_from is None:
            continue
        url = deep_link(plan, lead_role, "step", step.pk)
        name = fill_text(plan, step.name)
        about = _Reminded(plan, "step", step.pk, lead_role, anchor=begin)
        if step.status == StepStatus.PENDING:
            yield from about.specs(
                "due",
                due_at=begin - lead,
                expires_at=begin + grace,  # useful until the step starts (checked) or its late one comes
                what=f"Reminder: step {name} starts {planned_label(plan, step.offset)}",
                subject=f"[{plan.name}] Starts at {when(plan, begin)}: {name}",
                body=f"Step {name} starts {planned_label(plan, step.offset)} ({when(plan, begin)}); "
                f"you lead it as {lead_role.name}.\n\n{url}",
            )
            yield from about.specs(
                "late_start",  # late from its planned start (plans.lateness): it should have started
                due_at=late_from + grace,
                expires_at=None,  # useful until the step starts (checked just before sending)
                what=f"Late: step {name} has not started",
                subject=f"[{plan.name}] LATE: step {name} should have started at {when(plan, begin)}",
                body=f"Step {name} should have started at {when(plan, begin)} and has not; "
                f"you lead it as {lead_role.name}.\n\n{url}",
            )
            continue
        yield from about.specs(
            "overdue",
            due_at=late_from + grace,
            expires_at=None,  # useful until the step is done (checked just before sending)
            what=f"Overdue: step {name}",
            subject=f"[{plan.name}] OVERDUE: step {name} should have finished at {when(plan, finish)}",
            body=f"Step {name} should have finished at {when(plan, finish)} and is not done; "
            f"you lead it as {lead_role.name}.\n\n{url}",
        )


def _item_still_open(delivery: Delivery) -> str | None:
    from checklists.models import Item, ItemStatus

    item = Item.objects.filter(pk=delivery.source_id).only("status").first()
    if item is None:
        return "the item was deleted"
    return None if item.status == ItemStatus.OPEN else f"the item is already {item.get_status_display().lower()}"


def _step_still_pending(delivery: Delivery) -> str | None:
    from plans.models import Step, StepStatus

    step = Step.objects.filter(pk=delivery.source_id).only("status").first()
    if step is None:
        return "the step was deleted"
    if delivery.source_kind in {"step.due", "step.late_start"} and step.status != StepStatus.PENDING:
        return f"the step is already {step.get_status_display().lower()}"
    if step.status in {StepStatus.DONE, StepStatus.SKIPPED}:
        return f"the step is already {step.get_status_display().lower()}"
    return None


register_relevance("item.due", _item_still_open)
register_relevance("item.overdue", _item_still_open)
register_relevance("step.due", _step_still_pending)
register_relevance("step.overdue", _step_still_pending)
register_relevance("step.late_start", _step_still_pending)


def deep_link(plan: Plan, role: Any, kind: str, pk: int) -> str:
    """The row of an item or step on its role's page (``#item-12``), where it can be ticked."""
    return f"{settings.SITE_URL}/plans/{plan.slug}/roles/{role.slug}/#{kind}-{pk}"
