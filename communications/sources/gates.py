"""Reminders of a gate's decision. Items and steps were reminded and a go/no-go call was not: a gate due at T-1d
came and went with its voters and its authority told nothing, and on launch day it read PENDING an hour late.

- ``gate.due``: the plan's reminder lead before the decision is due, to the holders of the gate's authority role
  and of its polled roles, and the coordinator: each person once.
- ``gate.overdue``: a moment after it (``REMINDER_OVERDUE_GRACE_MINUTES``), the gate still pending or being
  polled, to the authority role's holders and the coordinator.

A gate decided meanwhile is reminded of nothing more (checked just before sending). Both hang off the moment the
decision is due: a hold defers them, and they slip with T-0 when it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, prefetch_related_objects

from plans.runbook.fill import fill_text
from plans.slips import planned_label
from plans.wallclock import near_q

from .registry import (
    THE_PLAN,
    DeliverySpec,
    fixed,
    holder_email,
    overdue_grace,
    register_relevance,
    register_source,
    roles_and_coordinator,
    when,
)

if TYPE_CHECKING:
    from checklists.models import Gate
    from plans.models import Plan

    from ..models import Delivery


@register_source
def gate_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from checklists.models import Gate, GateStatus

    if not plan.pk or plan.clockless:
        return
    lead, grace = plan.reminder_lead, overdue_grace()
    # The reminder's send = due - lead in (start, end]; the overdue one's = due + grace in (start, end].
    windows = ((start + lead, end + lead), (start - grace, end - grace))
    near = Q()
    for lo, hi in windows:
        near |= near_q(plan, "offset", lo, hi)
    undecided = [GateStatus.PENDING, GateStatus.POLLING]
    gates = list(
        Gate.objects.filter(near, plan=plan, status__in=undecided, offset__isnull=False)
        .select_related("authority_role__primary", "authority_role__backup")
        .order_by("offset", "id")
    )
    if not gates:  # most ticks: one query
        return
    prefetch_related_objects(gates, "polled_roles__primary", "polled_roles__backup")
    for gate in gates:
        assert gate.offset is not None
        due = plan.at(gate.offset)
        if _within(windows[0], due):
            yield from _specs(plan, gate, "due", due, due - lead, expires_at=due + grace, polled=True)
        if _within(windows[1], due):
            yield from _specs(plan, gate, "overdue", due, due + grace, expires_at=None, polled=False)


def _within(window: tuple[datetime, datetime], moment: datetime) -> bool:
    return window[0] < moment <= window[1]


def _specs(
    plan: Plan, gate: Gate, stage: str, due: datetime, send_at: datetime, *, expires_at: datetime | None, polled: bool
) -> Iterator[DeliverySpec]:
    """One email a person: the authority role's holders (and, for the reminder, the polled roles'), then the
    coordinator."""
    name = fill_text(plan, gate.name)
    planned = planned_label(plan, gate.offset) if gate.offset is not None else ""
    authority = gate.authority_role.name if gate.authority_role else "the coordinator"
    url = f"{settings.SITE_URL}/plans/{plan.slug}/gates/{gate.slug}/"
    roles: list[Any] = [gate.authority_role] if gate.authority_role else []
    if polled:
        roles += [r for r in gate.polled_roles.all() if r not in roles]
    if stage == "due":
        voters = ", ".join(r.name for r in gate.polled_roles.all())
        what = f"Reminder: gate {name}, decision due {planned}"
        subject = f"[{plan.name}] Gate decision at {when(plan, due)}: {name}"
        body = (
            f"The {name} gate is to be decided {planned} ({when(plan, due)}) by {authority}"
            + (f", with the votes of {voters}" if voters else "")
            + f".\n\nVote and decide: {url}"
        )
    else:
        what = f"Overdue: gate {name} not decided"
        subject = f"[{plan.name}] DECISION OVERDUE since {when(plan, due)}: {name}"
        body = f"The {name} gate was to be decided at {when(plan, due)} by {authority}, and is not.\n\n{url}"
    for user, role, which in roles_and_coordinator(plan, roles):
        yield holder_email(
            user,
            role or THE_PLAN,
            which,
            source_kind=f"gate.{stage}",
            source_id=gate.pk,
            due_at=send_at,
            label=what,
            anchor=due,
            expires_at=expires_at,
            render=fixed(subject, body),
        )


def _gate_undecided(delivery: Delivery) -> str | None:
    from checklists.models import Gate, GateStatus

    gate = Gate.objects.filter(pk=delivery.source_id).only("status").first()
    if gate is None:
        return "the gate was deleted"
    if gate.status in {GateStatus.PENDING, GateStatus.POLLING}:
        return None
    return f"the gate is already decided ({gate.get_status_display()})"


register_relevance("gate.due", _gate_undecided)
register_relevance("gate.overdue", _gate_undecided)
