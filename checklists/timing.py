"""The gates as the forecast sees them (registered with :func:`plans.timing.register_gate_source`)."""

from __future__ import annotations

from plans.forecast import GateMark

from .models import Gate, GateStatus, Item


def gate_source(plan_id: int) -> tuple[list[GateMark], dict[int, list[int]]]:
    """The plan's gates (due time, pass time, the steps their criteria name) and, per step, the gates it
    waits for, itself or through its phase (3 queries)."""
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
    for gate_id, step_id in step_gate_waits(plan_id):
        if gate_id not in waits.setdefault(step_id, []):
            waits[step_id].append(gate_id)
    return marks, waits


def step_gate_waits(plan_id: int) -> list[tuple[int, int]]:
    """(gate, step) for each step that waits for a gate: named in the step's ``after`` (``Gate.blocks``) or
    in its phase's (``Gate.holds_phases``). One query."""
    named = Gate.blocks.through.objects.filter(gate__plan_id=plan_id).values_list("gate_id", "step_id")
    by_phase = (
        Gate.holds_phases.through.objects.filter(gate__plan_id=plan_id, phase__steps__isnull=False)
        .values_list("gate_id", "phase__steps__id")
        .order_by()
    )
    return list(named.order_by().union(by_phase, all=True))
