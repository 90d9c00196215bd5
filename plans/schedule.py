"""Reads the forecast needs from the database: a plan's steps as :class:`plans.forecast.Task`, its gates
(registered by the checklists app in :mod:`plans.timing`) and the forecast itself (4 queries)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .forecast import Forecast, GateMark, Task, forecast, planned_offsets
from .models import Plan, Step
from .timing import gate_marks


def step_tasks(
    steps: Iterable[Step], waits: dict[int, list[int]] | None = None, deps: dict[int, list[int]] | None = None
) -> list[Task]:
    """The steps as forecast tasks (one query for their dependencies, none when ``deps`` gives them)."""
    step_list = list(steps)
    if deps is None:
        ids = [s.pk for s in step_list]
        deps = {}
        edges = Step.depends_on.through.objects.filter(from_step_id__in=ids).values_list("from_step_id", "to_step_id")
        for src, dst in edges:
            deps.setdefault(src, []).append(dst)
    waits = waits or {}
    return [
        Task(
            id=s.pk,
            name=s.name,
            offset=s.offset,
            length=s.length,
            status=s.status,
            relative=s.relative,
            after=tuple(sorted(deps.get(s.pk, ()))),
            gates=tuple(sorted(waits.get(s.pk, ()))),
            actual_start=s.actual_start,
            actual_finish=s.actual_finish,
            deadline=s.deadline,
        )
        for s in step_list
    ]


def plan_tasks(
    plan: Plan, steps: Iterable[Step] | None = None, deps: dict[int, list[int]] | None = None
) -> tuple[list[Task], list[GateMark]]:
    marks, waits = gate_marks(plan.pk)
    step_list = list(steps) if steps is not None else list(Step.objects.filter(plan=plan))
    return step_tasks(step_list, waits, deps), marks


def plan_forecast(
    plan: Plan, *, now: datetime, steps: Iterable[Step] | None = None, deps: dict[int, list[int]] | None = None
) -> Forecast:
    """The live forecast of a plan with a T-0 (a clockless plan has none: an empty forecast). ``steps``:
    all the plan's steps, if the caller has them; ``deps``: their dependencies (step -> the steps it
    depends on), if it has them too."""
    if plan.t0 is None:
        return Forecast()
    tasks, marks = plan_tasks(plan, steps, deps)
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
