"""The gates that guard the launch, as :mod:`plans.guards` asks about them.

A gate guards the launch when it is decided before T-0 (``at`` at or before T-0, or none) and is not a
post-launch validation. While one is decided NO-GO, or its poll is open (the decision is under way), the
coordinator cannot move the launch to *launched* without an override; the hold a NO-GO started does not
end while that gate still says NO-GO. A gate never decided (pending) does not refuse the launch: the plan
page's confirmation names it (:func:`launch_caution`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from plans.models import Event

from .models import Gate, GateKind, GateStatus

if TYPE_CHECKING:
    from plans.models import Plan


def launch_gates(plan: Plan) -> QuerySet[Gate]:
    """The plan's gates that guard the launch, in the plan's order."""
    before_t0 = Q(offset__isnull=True) | Q(offset__lte=timedelta(0))
    return Gate.objects.filter(before_t0, plan_id=plan.pk).exclude(kind=GateKind.VALIDATION).order_by("order", "offset")


def _sentence(gate: Gate) -> str:
    if gate.status == GateStatus.NO_GO:
        why = f": {gate.decision_reason}" if gate.decision_reason else ""
        return f"{gate.name} is decided NO-GO{why}."
    return f"{gate.name}'s poll is open: it is not decided GO yet."


def launch_caution(plan: Plan) -> list[str]:
    """Registered with :func:`plans.guards.register_launch_caution` (one query): the launch's gates that are
    still undecided (the coordinator launched past a Go/No-Go never polled, and nothing said so)."""
    gates = launch_gates(plan).filter(status=GateStatus.PENDING).values_list("name", flat=True)
    return [f"{name} is not decided yet: launching goes ahead without its GO." for name in gates]


def launch_guard(plan: Plan, hold_id: int | None) -> list[str]:
    """Registered with :func:`plans.guards.register_launch_guard` (1–2 queries)."""
    if hold_id is None:
        gates = launch_gates(plan).filter(status__in=[GateStatus.NO_GO, GateStatus.POLLING])
        return [_sentence(g) for g in gates]
    started = (
        Event.objects.filter(plan_id=plan.pk, kind="hold.started", data__hold=hold_id)
        .values_list("data", flat=True)
        .first()
    )
    gate_id = started.get("gate") if isinstance(started, dict) else None
    if not isinstance(gate_id, int):
        return []
    return [_sentence(g) for g in Gate.objects.filter(pk=gate_id, plan_id=plan.pk, status=GateStatus.NO_GO)]
