"""Reads the forecast needs from the database: a plan's steps as :class:`plans.forecast.Task`, its gates
(registered by the checklists app in :mod:`plans.timing`) and the forecast itself.

The board reads a plan's steps once, as plain rows (:func:`step_rows`: no model instances, a step's text
fields left in the database), and takes its "next 30 minutes", its role counts and the forecast from them
(``warroom.steps``); pages that have the ``Step`` models already pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from .forecast import Forecast, GateMark, Task, forecast, planned_offsets
from .models import Plan, Step
from .timing import gate_marks


class StepRow(NamedTuple):
    """What the board and the forecast read of a step (one ``values_list`` row)."""

    id: int
    name: str
    order: int
    offset: timedelta
    duration: timedelta
    estimate: timedelta | None
    status: str
    relative: bool
    actual_start: datetime | None
    actual_finish: datetime | None
    deadline: timedelta | None
    lead_role_id: int | None
    lead_role_name: str | None

    @property
    def length(self) -> timedelta:
        """Its estimate, else its duration (``Step.length``)."""
        return self.estimate if self.estimate is not None else self.duration


_ROW_FIELDS = (
    "pk",
    "name",
    "order",
    "offset",
    "duration",
    "estimate",
    "status",
    "relative",
    "actual_start",
    "actual_finish",
    "deadline",
    "lead_role_id",
    "lead_role__name",
)


def step_rows(plan: Plan) -> list[StepRow]:
    """Every step of the plan in planned order (offset, order), as rows: one query."""
    query = Step.objects.filter(plan=plan).order_by("offset", "order", "pk").values_list(*_ROW_FIELDS)
    return [StepRow._make(row) for row in query]


def step_dependencies(plan: Plan) -> dict[int, list[int]]:
    """{step id: ids of the steps it follows} for the whole plan: one query (a join on the plan, not a
    list of every step id)."""
    deps: dict[int, list[int]] = {}
    edges = Step.depends_on.through.objects.filter(from_step__plan=plan).values_list("from_step_id", "to_step_id")
    for src, dst in edges.order_by():
        deps.setdefault(src, []).append(dst)
    return deps


def _task(step: Step | StepRow, deps: dict[int, list[int]], waits: dict[int, list[int]]) -> Task:
    pk = step.pk if isinstance(step, Step) else step.id
    return Task(
        id=pk,
        name=step.name,
        offset=step.offset,
        length=step.length,
        status=step.status,
        relative=step.relative,
        after=tuple(sorted(deps.get(pk, ()))),
        gates=tuple(sorted(waits.get(pk, ()))),
        actual_start=step.actual_start,
        actual_finish=step.actual_finish,
        deadline=step.deadline,
    )


def step_tasks(steps: Iterable[Step], waits: dict[int, list[int]] | None = None) -> list[Task]:
    """The steps as forecast tasks (one query for their dependencies)."""
    step_list = list(steps)
    ids = [s.pk for s in step_list]
    deps: dict[int, list[int]] = {}
    edges = Step.depends_on.through.objects.filter(from_step_id__in=ids).values_list("from_step_id", "to_step_id")
    for src, dst in edges:
        deps.setdefault(src, []).append(dst)
    return [_task(s, deps, waits or {}) for s in step_list]


def plan_tasks(plan: Plan, steps: Iterable[Step] | None = None) -> tuple[list[Task], list[GateMark]]:
    marks, waits = gate_marks(plan.pk)
    step_list = list(steps) if steps is not None else list(Step.objects.filter(plan=plan))
    return step_tasks(step_list, waits), marks


def row_tasks(plan: Plan, rows: Iterable[StepRow]) -> tuple[list[Task], list[GateMark]]:
    """The forecast's input from step rows already read: their dependencies and the plan's gates (the
    gate sources' queries, plus one)."""
    marks, waits = gate_marks(plan.pk)
    deps = step_dependencies(plan)
    return [_task(r, deps, waits) for r in rows], marks


def plan_forecast(
    plan: Plan, *, now: datetime, steps: Iterable[Step] | None = None, rows: Iterable[StepRow] | None = None
) -> Forecast:
    """The live forecast of a plan with a T-0 (a clockless plan has none: an empty forecast). It depends
    on ``now`` (a pending step never starts before it, a running one never ends before it, a deadline
    passes), so it is computed on every render; only its input is read from the database."""
    if plan.t0 is None:
        return Forecast()
    if steps is not None:
        tasks, marks = plan_tasks(plan, steps)
    else:
        tasks, marks = row_tasks(plan, step_rows(plan) if rows is None else rows)
    return forecast(tasks, clock=plan.at, now=now, gates=marks, window_end=plan.window_end)


def rescheduled_steps(plan: Plan) -> list[Step]:
    """The plan's steps placed ``after`` others whose planned offset no longer follows from their
    predecessors, with the new offset set (locked; the caller saves them)."""
    steps = list(Step.objects.select_for_update().filter(plan=plan))
    tasks, marks = plan_tasks(plan, steps)
    offsets = planned_offsets(tasks, marks)
    moved = [s for s in steps if s.relative and offsets[s.pk] != s.offset]
    for step in moved:
        step.offset = offsets[step.pk]
    return moved
