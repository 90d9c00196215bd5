"""Steps and phases planned against actual, and the critical path as run.

- A step's **planned** start and end are the forecast's (``plans.forecast``): its offset from the current
  T-0 (a hold's slip moves T-0 and every time planned after the hold's start) and its length (estimate,
  else duration). Its **actual** start and finish are what was recorded.
- **Start delay**: actual start − planned start. **Overrun**: actual length − planned length (a step
  that took longer than planned). **Finish delay**: actual finish − planned end.
- **On time**: finished at or before its planned end (``plans.lateness``: late is strictly after). A
  skipped step is neither on time nor late; a step never finished is *unfinished*.
- **Critical path as run**: from the step that finished last, back through the predecessor (a step it
  follows, or a step a gate it waits for names in a criterion) that finished last, to a step with none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DONE = "done"
SKIPPED = "skipped"


@dataclass(frozen=True)
class StepRun:
    """What the review needs of one step."""

    id: int
    name: str
    phase: str
    role: str
    status: str
    planned_start: datetime
    planned_end: datetime
    actual_start: datetime | None
    actual_finish: datetime | None
    predecessors: tuple[int, ...] = ()

    @property
    def planned_length(self) -> timedelta:
        return self.planned_end - self.planned_start

    @property
    def actual_length(self) -> timedelta | None:
        if self.actual_start is None or self.actual_finish is None:
            return None
        return self.actual_finish - self.actual_start

    @property
    def start_delay(self) -> timedelta | None:
        return None if self.actual_start is None else self.actual_start - self.planned_start

    @property
    def finish_delay(self) -> timedelta | None:
        return None if self.actual_finish is None else self.actual_finish - self.planned_end

    @property
    def overrun(self) -> timedelta | None:
        length = self.actual_length
        return None if length is None else length - self.planned_length

    @property
    def outcome(self) -> str:
        """``on_time``, ``late``, ``skipped`` or ``unfinished``."""
        if self.status == SKIPPED:
            return "skipped"
        if self.status != DONE or self.actual_finish is None:
            return "unfinished"
        return "late" if self.actual_finish > self.planned_end else "on_time"


@dataclass(frozen=True)
class PhaseRun:
    name: str
    steps: int
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_finish: datetime | None  # the last finish, once every step of the phase is done or skipped
    late_steps: int

    @property
    def finish_delay(self) -> timedelta | None:
        if self.actual_finish is None or self.planned_end is None:
            return None
        return self.actual_finish - self.planned_end

    @property
    def planned_length(self) -> timedelta | None:
        if self.planned_start is None or self.planned_end is None:
            return None
        return self.planned_end - self.planned_start

    @property
    def actual_length(self) -> timedelta | None:
        if self.actual_start is None or self.actual_finish is None:
            return None
        return self.actual_finish - self.actual_start


@dataclass(frozen=True)
class StepTotals:
    steps: int
    on_time: int
    late: int
    skipped: int
    unfinished: int
    overrun: timedelta  # the sum of the positive overruns
    started_late: int

    @property
    def on_time_share(self) -> float | None:
        """On-time steps among those finished (done, not skipped); ``None`` when none finished."""
        finished = self.on_time + self.late
        return None if finished == 0 else self.on_time / finished


def step_totals(steps: Iterable[StepRun]) -> StepTotals:
    runs = list(steps)
    outcomes = [s.outcome for s in runs]
    overruns = [s.overrun for s in runs if s.overrun is not None and s.overrun > timedelta(0)]
    return StepTotals(
        steps=len(runs),
        on_time=outcomes.count("on_time"),
        late=outcomes.count("late"),
        skipped=outcomes.count("skipped"),
        unfinished=outcomes.count("unfinished"),
        overrun=sum(overruns, timedelta(0)),
        started_late=sum(1 for s in runs if s.start_delay is not None and s.start_delay > timedelta(0)),
    )


def phase_runs(steps: Sequence[StepRun], phase_names: Sequence[str]) -> list[PhaseRun]:
    """One row per phase in the plan's order (steps with no phase are left out)."""
    rows = []
    for name in phase_names:
        own = [s for s in steps if s.phase == name]
        done = bool(own) and all(s.status in (DONE, SKIPPED) for s in own)
        finishes = [s.actual_finish for s in own if s.actual_finish is not None]
        starts = [s.actual_start for s in own if s.actual_start is not None]
        rows.append(
            PhaseRun(
                name=name,
                steps=len(own),
                planned_start=min((s.planned_start for s in own), default=None),
                planned_end=max((s.planned_end for s in own), default=None),
                actual_start=min(starts, default=None),
                actual_finish=max(finishes, default=None) if done else None,
                late_steps=sum(1 for s in own if s.outcome == "late"),
            )
        )
    return rows


def critical_path(steps: Sequence[StepRun]) -> list[StepRun]:
    """The chain of steps that set the launch's end as it ran, first step first (see the module doc)."""
    by_id = {s.id: s for s in steps}
    finished = [s for s in steps if s.actual_finish is not None]
    if not finished:
        return []
    current: StepRun | None = max(finished, key=lambda s: (s.actual_finish, s.id))
    path: list[StepRun] = []
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        path.append(current)
        seen.add(current.id)
        before = [by_id[p] for p in current.predecessors if p in by_id and by_id[p].actual_finish is not None]
        current = max(before, key=lambda s: (s.actual_finish, s.id)) if before else None
    return list(reversed(path))
