"""The plan and the live forecast of a launch's steps: pure functions, no database.

- **Planned**: a step placed by ``at`` starts at its offset; a step placed ``after`` others (``relative``)
  starts when the last of its predecessors is planned to end and the gates it waits for are due. Its
  planned length is its ``estimate``, else its ``duration``.
- **Forecast**: a finished step keeps its actual times; a running one ends at ``actual start + length``
  or now, whichever is later (an overrun pushes it on); a pending one starts when its predecessors are
  forecast to end and its gates to pass, never before now (a late start, a hold), and a step placed
  by ``at`` never before its planned time (a fixed start). A relative step follows its predecessors,
  so an early finish pulls it in.
- **Deadlines**: a step's own ``deadline`` (a point of no return), the plan's maintenance-window end, and
  the time of every gate that has a criterion tied to the step. A step forecast to end after one is
  ``at_risk`` before the deadline comes, ``missed`` once it passed unfinished or finished late.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DONE = "done"
SKIPPED = "skipped"
RUNNING = "in_progress"
#: How far past its planned end a step must be forecast to count as behind.
BEHIND = timedelta(minutes=1)

#: (offset) -> moment: a plan's T-0 and zone (``Plan.at``), so that day offsets keep wall-clock time.
Clock = Callable[[timedelta], datetime]


@dataclass(frozen=True)
class Task:
    """What the forecast needs of a step."""

    id: int
    name: str
    offset: timedelta
    length: timedelta
    status: str = "pending"
    relative: bool = False
    after: tuple[int, ...] = ()
    gates: tuple[int, ...] = ()
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    deadline: timedelta | None = None


@dataclass(frozen=True)
class GateMark:
    """What the forecast needs of a gate: when it is due, when it passed, which steps its criteria name."""

    id: int
    name: str
    offset: timedelta | None = None
    passed_at: datetime | None = None
    criteria_steps: tuple[int, ...] = ()


@dataclass
class StepForecast:
    task: Task
    planned_start: datetime
    planned_end: datetime
    start: datetime
    end: datetime
    deadline: datetime | None = None
    deadline_name: str = ""
    risk: str = ""  # "" | "at_risk" | "missed"

    @property
    def slip(self) -> timedelta:
        return self.end - self.planned_end

    @property
    def finished(self) -> bool:
        return self.task.status in (DONE, SKIPPED)


@dataclass
class GateForecast:
    gate: GateMark
    planned: datetime | None
    forecast: datetime | None


@dataclass
class Forecast:
    steps: dict[int, StepForecast] = field(default_factory=dict)
    gates: dict[int, GateForecast] = field(default_factory=dict)
    planned_end: datetime | None = None
    end: datetime | None = None
    window_end: datetime | None = None

    @property
    def slip(self) -> timedelta:
        if self.end is None or self.planned_end is None:
            return timedelta(0)
        return self.end - self.planned_end

    @property
    def at_risk(self) -> list[StepForecast]:
        """Steps that will miss (or missed) a deadline, soonest deadline first."""
        risky = [f for f in self.steps.values() if f.risk]
        return sorted(risky, key=lambda f: (f.deadline or f.end, f.task.id))

    @property
    def behind(self) -> list[StepForecast]:
        """Running steps forecast to end a minute or more after their planned end (an overrun) that no
        deadline flags, most behind first: the launch's end can still be on time (a later step is fixed by
        ``at``) while one runs an hour over, and the panel must not say only "on time". (A step that has
        not started by its time is LATE in "Next 30 min" already: not repeated here.)"""
        late = [f for f in self.steps.values() if f.task.status == RUNNING and not f.risk and f.slip >= BEHIND]
        return sorted(late, key=lambda f: (-f.slip, f.task.id))


def order(tasks: Iterable[Task], gates: Iterable[GateMark] = ()) -> list[int]:
    """Step ids with every predecessor (a step it follows, or a step a gate it waits for depends on)
    before it; steps caught in a cycle (the importer refuses them) come last in id order."""
    by_id = {t.id: t for t in tasks}
    gate_steps = {g.id: [s for s in g.criteria_steps if s in by_id] for g in gates}
    preds = {
        t.id: ({p for p in t.after if p in by_id} | {s for g in t.gates for s in gate_steps.get(g, ())}) - {t.id}
        for t in by_id.values()
    }
    followers: dict[int, list[int]] = {n: [] for n in by_id}
    for node, ps in preds.items():
        for p in ps:
            followers[p].append(node)
    waiting = {n: len(ps) for n, ps in preds.items()}
    queue = deque(sorted(n for n, w in waiting.items() if w == 0))
    seen: list[int] = []
    while queue:
        node = queue.popleft()
        seen.append(node)
        for nxt in sorted(followers[node]):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                queue.append(nxt)
    return seen + sorted(set(by_id) - set(seen))


def planned_offsets(tasks: Iterable[Task], gates: Iterable[GateMark] = ()) -> dict[int, timedelta]:
    """Every step's planned start as an offset from T-0: its own for a step placed by ``at``, the latest
    planned end of its predecessors and due time of its gates for one placed ``after`` them. Offsets
    (elapsed time) are what a plan stores, so this is what the importer and the services save."""
    task_list = list(tasks)
    gate_list = list(gates)
    by_id = {t.id: t for t in task_list}
    gate_by_id = {g.id: g for g in gate_list}
    starts: dict[int, timedelta] = {}
    gate_due: dict[int, timedelta | None] = {g.id: g.offset for g in gate_list}
    for node in order(task_list, gate_list):
        task = by_id[node]
        if not task.relative:
            starts[node] = task.offset
            continue
        bounds = [starts[p] + by_id[p].length for p in task.after if p in starts]
        for g in task.gates:
            due = _gate_planned_offset(gate_by_id.get(g), gate_due, starts, by_id)
            if due is not None:
                bounds.append(due)
        starts[node] = max(bounds, default=task.offset)
    return starts


def _gate_planned_offset(
    gate: GateMark | None, due: dict[int, timedelta | None], starts: dict[int, timedelta], by_id: dict[int, Task]
) -> timedelta | None:
    if gate is None:
        return None
    ends = [starts[s] + by_id[s].length for s in gate.criteria_steps if s in starts]
    if due.get(gate.id) is not None:
        ends.append(due[gate.id])  # type: ignore[arg-type]
    return max(ends, default=None)


def forecast(
    tasks: Iterable[Task],
    *,
    clock: Clock,
    now: datetime,
    gates: Iterable[GateMark] = (),
    window_end: timedelta | None = None,
) -> Forecast:
    """The planned and forecast start and end of every step, the gates' forecast times, the forecast
    end of the launch and its slip, and the deadlines each step is forecast to miss."""
    task_list = list(tasks)
    gate_list = list(gates)
    by_id = {t.id: t for t in task_list}
    planned = planned_offsets(task_list, gate_list)
    result = Forecast(window_end=clock(window_end) if window_end is not None else None)
    gate_time: dict[int, datetime | None] = {}

    def gate_forecast(gate: GateMark) -> datetime | None:
        if gate.id not in gate_time:
            if gate.passed_at is not None:
                gate_time[gate.id] = gate.passed_at
            else:
                bounds = [result.steps[s].end for s in gate.criteria_steps if s in result.steps]
                if gate.offset is not None:
                    bounds.append(clock(gate.offset))
                gate_time[gate.id] = max([*bounds, now]) if bounds else None
        return gate_time[gate.id]

    gate_by_id = {g.id: g for g in gate_list}
    for node in order(task_list, gate_list):
        task = by_id[node]
        p_start = clock(planned[node])
        p_end = p_start + task.length
        start, end = _step_times(task, p_start, now)
        if start is None:
            waits = [gate_forecast(gate_by_id[g]) for g in task.gates if g in gate_by_id]
            start = max([p_start if not task.relative else now, now, *_ends(task, result), *_present(waits)])
            end = start + task.length
        result.steps[node] = StepForecast(task, p_start, p_end, start, end)
    for gate in gate_list:
        result.gates[gate.id] = GateForecast(
            gate, clock(gate.offset) if gate.offset is not None else None, gate_forecast(gate)
        )
    _deadlines(result, gate_list, clock, now)
    if result.steps:
        result.planned_end = max(f.planned_end for f in result.steps.values())
        result.end = max(f.end for f in result.steps.values())
    return result


def _present(values: Iterable[datetime | None]) -> list[datetime]:
    return [v for v in values if v is not None]


def _ends(task: Task, result: Forecast) -> list[datetime]:
    return [result.steps[p].end for p in task.after if p in result.steps]


def _step_times(task: Task, p_start: datetime, now: datetime) -> tuple[datetime | None, datetime]:
    """(start, end) of a finished or running step from its actual times; (None, _) for a pending one."""
    if task.status in (DONE, SKIPPED):
        start = task.actual_start or task.actual_finish or min(p_start, now)
        end = task.actual_finish or start
        return start, max(end, start)
    if task.status == RUNNING and task.actual_start is not None:
        return task.actual_start, max(task.actual_start + task.length, now)
    return None, p_start


def _deadlines(result: Forecast, gates: list[GateMark], clock: Clock, now: datetime) -> None:
    """Give each step its earliest deadline and flag it: at risk (forecast past it, not yet due) or
    missed (passed unfinished, or finished after it)."""
    for f in result.steps.values():
        candidates: list[tuple[datetime, str]] = []
        if f.task.deadline is not None:
            candidates.append((clock(f.task.deadline), "point of no return"))
        if result.window_end is not None:
            candidates.append((result.window_end, "end of the maintenance window"))
        for gate in gates:
            planned_gate = result.gates[gate.id].planned
            if f.task.id in gate.criteria_steps and planned_gate is not None and gate.passed_at is None:
                candidates.append((planned_gate, gate.name))
        if not candidates:
            continue
        f.deadline, f.deadline_name = min(candidates, key=lambda c: c[0])
        if f.task.status == SKIPPED:
            continue
        if f.finished:
            f.risk = "missed" if f.end > f.deadline else ""
        elif now >= f.deadline:
            f.risk = "missed"
        elif f.end > f.deadline:
            f.risk = "at_risk"
