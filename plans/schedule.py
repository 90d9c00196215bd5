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

from django.db.models import CharField, QuerySet, Value

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
    phase_id: int | None = None

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
    "phase_id",
)


def step_rows(plan: Plan) -> list[StepRow]:
    """Every step of the plan in planned order (offset, order), as rows: one query."""
    query = Step.objects.filter(plan=plan, recurring=False).order_by("offset", "order", "pk").values_list(*_ROW_FIELDS)
    return [StepRow._make(row) for row in query]


AFTER = "after"  # the kind of a dependency edge: (AFTER, step id, id of a step it follows)


def dependency_edges(plan: Plan) -> QuerySet:
    """(``AFTER``, step id, id of a step it follows) for the whole plan: one query, by a join on the plan
    (not a list of every step id); its shape lets a caller UNION it with other edges (the gates')."""
    return (
        Step.depends_on.through.objects.filter(from_step__plan=plan)
        .order_by()
        .values_list(Value(AFTER, output_field=CharField()), "from_step_id", "to_step_id")
    )


def dependencies_of(edges: Iterable[tuple[str, int, int]]) -> dict[int, list[int]]:
    """{step id: ids of the steps it follows} from edges (other kinds than ``AFTER`` are ignored)."""
    deps: dict[int, list[int]] = {}
    for kind, src, dst in edges:
        if kind == AFTER:
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


def step_tasks(
    steps: Iterable[Step], waits: dict[int, list[int]] | None = None, deps: dict[int, list[int]] | None = None
) -> list[Task]:
    """The steps as forecast tasks (one query for their dependencies, none when ``deps`` gives them)."""
    step_list = [s for s in steps if not s.recurring]  # a recurring step is in no chain (checklists.series)
    if deps is None:
        ids = [s.pk for s in step_list]
        deps = {}
        edges = Step.depends_on.through.objects.filter(from_step_id__in=ids).values_list("from_step_id", "to_step_id")
        for src, dst in edges:
            deps.setdefault(src, []).append(dst)
    return [_task(s, deps, waits or {}) for s in step_list]


def plan_tasks(
    plan: Plan, steps: Iterable[Step] | None = None, deps: dict[int, list[int]] | None = None
) -> tuple[list[Task], list[GateMark]]:
    marks, waits = gate_marks(plan.pk)
    step_list = list(steps) if steps is not None else list(Step.objects.filter(plan=plan, recurring=False))
    return step_tasks(step_list, waits, deps), marks


def row_tasks(rows: Iterable[StepRow], deps: dict[int, list[int]], waits: dict[int, list[int]]) -> list[Task]:
    """Step rows as forecast tasks, given what each follows and the gates each waits for (no query)."""
    return [_task(r, deps, waits) for r in rows]


def plan_forecast(
    plan: Plan,
    *,
    now: datetime,
    steps: Iterable[Step] | None = None,
    deps: dict[int, list[int]] | None = None,
    tasks: tuple[list[Task], list[GateMark]] | None = None,
) -> Forecast:
    """The live forecast of a plan with a T-0 (a clockless plan has none: an empty forecast), from its
    steps (read here as rows unless given as models) or from ``tasks`` and gate marks read by the caller
    (the board: ``warroom.steps``). It depends on ``now`` (a pending step never starts before it, a running
    one never ends before it, a deadline passes), so it is computed on every render: only its input
    could outlive a render. ``deps``: the given steps' dependencies (step -> the steps it follows), if the
    caller has them too."""
    if plan.t0 is None:
        return Forecast()
    if tasks is not None:
        task_list, marks = tasks
    elif steps is not None:
        task_list, marks = plan_tasks(plan, steps, deps)
    else:
        marks, waits = gate_marks(plan.pk)
        task_list = row_tasks(step_rows(plan), dependencies_of(dependency_edges(plan)), waits)
    return forecast(task_list, clock=plan.at, now=now, gates=marks, window_end=plan.window_end)


def rescheduled_steps(plan: Plan) -> list[Step]:
    """The plan's steps placed ``after`` others whose planned offset no longer follows from their
    predecessors, with the new offset set (locked; the caller saves them)."""
    steps = list(Step.objects.select_for_update().filter(plan=plan, recurring=False))
    tasks, marks = plan_tasks(plan, steps)
    offsets = planned_offsets(tasks, marks)
    moved = [s for s in steps if s.relative and offsets[s.pk] != s.offset]
    for step in moved:
        step.offset = offsets[step.pk]
    return moved
