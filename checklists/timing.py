"""The gates as the forecast sees them (registered with :func:`plans.timing.register_gate_source`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, QuerySet, Value

from plans.forecast import GateMark

from .models import Gate, GateStatus, Item

#: (gate id, name, offset, status, decided at): what a mark needs of a gate.
GateRow = tuple[int, str, timedelta | None, str, datetime | None]
CRITERION = "criterion"  # an item that is a gate's criterion names a step: the gate waits for that step
BLOCKS = "blocks"  # a step waits for a gate


def _criteria() -> QuerySet:
    return Item.objects.filter(gate__isnull=False, step__isnull=False).order_by()


def _phase_waits(plan_id: int) -> QuerySet:
    """(gate id, step id) for each step whose phase waits for a gate (``Gate.holds_phases``)."""
    return (
        Gate.holds_phases.through.objects.filter(gate__plan_id=plan_id, phase__steps__isnull=False)
        .order_by()
        .values_list("gate_id", "phase__steps__id")
    )


def gate_edges(plan_id: int) -> QuerySet:
    """(kind, gate id, step id) for the plan's gate criteria naming a step (``CRITERION``) and the steps
    waiting for a gate, named in their ``after`` or through their phase's (``BLOCKS``): one query (a UNION
    ALL; combine it with others of the same shape)."""
    kind = CharField()
    criteria = (
        _criteria().filter(plan_id=plan_id).values_list(Value(CRITERION, output_field=kind), "gate_id", "step_id")
    )
    blocks = (
        Gate.blocks.through.objects.filter(gate__plan_id=plan_id)
        .order_by()
        .values_list(Value(BLOCKS, output_field=kind), "gate_id", "step_id")
    )
    by_phase = (
        Gate.holds_phases.through.objects.filter(gate__plan_id=plan_id, phase__steps__isnull=False)
        .order_by()
        .values_list(Value(BLOCKS, output_field=kind), "gate_id", "phase__steps__id")
    )
    return criteria.union(blocks, by_phase, all=True)


def gate_marks_of(
    gates: Iterable[GateRow], edges: Iterable[tuple[str, int, int]]
) -> tuple[list[GateMark], dict[int, list[int]]]:
    """The forecast's marks from gate rows (in the plan's gate order) and their edges (``gate_edges``;
    other kinds are ignored), and per step the gates it waits for."""
    criteria: dict[int, set[int]] = {}
    waits: dict[int, list[int]] = {}
    for kind, gate_id, step_id in edges:
        if kind == CRITERION:
            criteria.setdefault(gate_id, set()).add(step_id)
        elif kind == BLOCKS and gate_id not in waits.setdefault(step_id, []):
            waits[step_id].append(gate_id)
    marks = [
        GateMark(
            id=pk,
            name=name,
            offset=offset,
            passed_at=decided_at if status == GateStatus.PASSED else None,
            criteria_steps=tuple(sorted(criteria.get(pk, ()))),
        )
        for pk, name, offset, status, decided_at in gates
    ]
    return marks, waits


def prefetched_marks(plan_id: int, steps: Iterable[Any]) -> tuple[list[GateMark], dict[int, list[int]]]:
    """``gate_source`` for steps read with their ``after_gates`` and ``phase__after_gates`` prefetched (the
    role page shows them): the gates each waits for come from those, so only the gates and their criteria
    are read (2 queries)."""
    edges = [
        (CRITERION, gate_id, step_id)
        for gate_id, step_id in _criteria().filter(plan_id=plan_id).values_list("gate_id", "step_id")
    ]
    for step in steps:
        waited = [*step.after_gates.all(), *(step.phase.after_gates.all() if step.phase is not None else ())]
        edges += [(BLOCKS, gate.pk, step.pk) for gate in waited]
    rows = (
        Gate.objects.filter(plan_id=plan_id)
        .order_by("order", "pk")
        .values_list("pk", "name", "offset", "status", "decided_at")
    )
    return gate_marks_of(rows, edges)


def gate_source(plan_id: int) -> tuple[list[GateMark], dict[int, list[int]]]:
    """The plan's gates (due time, pass time, the steps their criteria name) and, per step, the gates it
    waits for, itself or through its phase (3 queries)."""
    edges = [
        (CRITERION, gate_id, step_id)
        for gate_id, step_id in _criteria().filter(plan_id=plan_id).values_list("gate_id", "step_id")
    ]
    named = Gate.blocks.through.objects.filter(gate__plan_id=plan_id).order_by().values_list("gate_id", "step_id")
    edges += [(BLOCKS, gate_id, step_id) for gate_id, step_id in named.union(_phase_waits(plan_id), all=True)]
    rows = (
        Gate.objects.filter(plan_id=plan_id)
        .order_by("order", "pk")
        .values_list("pk", "name", "offset", "status", "decided_at")
    )
    return gate_marks_of(rows, edges)
