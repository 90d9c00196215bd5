"""The gates as the forecast sees them (registered with :func:`plans.timing.register_gate_source`)."""

from __future__ import annotations

from plans.forecast import GateMark

from .models import Gate, GateStatus, Item


def gate_source(plan_id: int) -> tuple[list[GateMark], dict[int, list[int]]]:
    """The plan's gates (due time, pass time, the steps their criteria name) and, per step, the gates it
    waits for (3 queries)."""
    criteria: dict[int, set[int]] = {}
    for gate_id, step_id in Item.objects.filter(plan_id=plan_id, gate__isnull=False, step__isnull=False).values_list(
        "gate_id", "step_id"
    ):
        criteria.setdefault(gate_id, set()).add(step_id)
    marks = [
        GateMark(
            id=pk,
            name=name,
            offset=offset,
            passed_at=decided_at if status == GateStatus.PASSED else None,
            criteria_steps=tuple(sorted(criteria.get(pk, ()))),
        )
        for pk, name, offset, status, decided_at in Gate.objects.filter(plan_id=plan_id)
        .order_by("order", "pk")
        .values_list("pk", "name", "offset", "status", "decided_at")
    ]
    waits: dict[int, list[int]] = {}
    for gate_id, step_id in Gate.blocks.through.objects.filter(gate__plan_id=plan_id).values_list("gate_id", "step_id"):
        waits.setdefault(step_id, []).append(gate_id)
    return marks, waits
