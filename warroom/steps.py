"""The board's step lines, taken from the plan's steps read once per render (``plans.schedule.step_rows``):
the steps in "next 30 minutes", the steps each role leads (done, late, the one running), the moments a
step makes the board change by itself (pure functions over the rows: no query), the forecast and its lines.

Before, each of these read the steps again (three queries besides the forecast's own read of every step as
a model instance, its dependencies and its gates: five); the forecast now takes the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from checklists.models import Gate
from checklists.timing import gate_edges, gate_marks_of
from plans.forecast import Forecast, StepForecast
from plans.lateness import step_is_late
from plans.models import Plan, StepStatus
from plans.schedule import StepRow, dependencies_of, dependency_edges, plan_forecast, row_tasks

if TYPE_CHECKING:
    from .selectors import RoleRow

OPEN = (StepStatus.PENDING, StepStatus.IN_PROGRESS)
FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)


def _planned(row: StepRow) -> tuple[timedelta, int]:
    return row.offset, row.order


def open_steps(plan: Plan, rows: Iterable[StepRow], until: datetime) -> list[StepRow]:
    """Pending and running steps planned to start by ``until`` (placed by ``Plan.at``), in planned order."""
    return sorted((r for r in rows if r.status in OPEN and plan.at(r.offset) <= until), key=_planned)


def row_is_late(plan: Plan, row: StepRow, now: datetime) -> bool:
    """``plans.lateness.step_is_late`` for a row read as the board reads it (no actual finish: a done step
    is counted as done, never as late, on the board)."""
    return step_is_late(plan=plan, offset=row.offset, duration=row.duration, status=row.status, now=now)


def count_led(rows: Iterable[StepRow], roles: dict[int, RoleRow], unowned: RoleRow) -> None:
    """Count the steps each role leads into its step counts; the steps no role leads into ``unowned``'s."""
    for row in rows:
        target = roles.get(row.lead_role_id) if row.lead_role_id is not None else unowned
        if target:
            target.steps_total += 1
            target.steps_done += row.status in FINISHED


def mark_running_and_late(plan: Plan, rows: Iterable[StepRow], roles: dict[int, RoleRow], now: datetime) -> None:
    """Each role's first running step (by planned start) and its late steps: running ones past their planned
    finish, pending ones past their planned start."""
    led = [
        r
        for r in rows
        if r.lead_role_id is not None
        and (r.status == StepStatus.IN_PROGRESS or (r.status == StepStatus.PENDING and plan.at(r.offset) < now))
    ]
    for row in sorted(led, key=_planned):
        role = roles.get(row.lead_role_id)  # type: ignore[arg-type]
        if role is None:
            continue
        if row.status == StepStatus.IN_PROGRESS:
            role.current_step = role.current_step or row.name
        role.late += row_is_late(plan, row, now)


def step_deadlines(plan: Plan, rows: Iterable[StepRow], window: timedelta) -> list[datetime]:
    """The moments an open step changes the board by itself: it enters "next 30 minutes" (``window``
    before its start), becomes late at its start (pending) or its planned finish (running)."""
    moments: list[datetime] = []
    for row in rows:
        if row.status in OPEN:
            start = plan.at(row.offset)
            moments += [start, start + row.duration, start - window]
    return moments


def board_forecast(plan: Plan, now: datetime, steps: list[StepRow], gate_list: Iterable[Gate]) -> Forecast:
    """The live forecast from the render's step rows and gates (``warroom.selectors.gates``), with one query
    of its own: the steps' dependencies and the gates' edges (criteria naming a step, steps waiting for a
    gate) in one UNION ALL. The same as ``plans.schedule.plan_forecast(plan)``, which reads five times
    (steps, dependencies, and the gates through ``plans.timing``: the board knows the checklists app)."""
    edges = list(gate_edges(plan.pk).union(dependency_edges(plan), all=True))
    ordered = sorted(gate_list, key=lambda g: (g.order, g.pk))  # the gate source's order (ties of deadlines)
    marks, waits = gate_marks_of(((g.pk, g.name, g.offset, g.status, g.decided_at) for g in ordered), edges)
    return plan_forecast(plan, now=now, tasks=(row_tasks(steps, dependencies_of(edges), waits), marks))


@dataclass(frozen=True)
class ForecastLines:
    """The forecast panel's lines: the first deadlines missed or at risk, then the first running steps behind;
    how many deadlines are missed and at risk in all (its "15 MISSED" beside the forecast end), and how many
    lines of each kind are not written (``rest``: "missed", "at risk", "behind"). The panel shows the lines that
    fit and counts the rest by kind under them ("+12 more missed", static/js/warroom.js): a missed deadline is
    never out of sight (on a big plan at 1920x1080 no line fitted and the panel read "+3 more", twelve more
    missed uncounted)."""

    risks: list[StepForecast]
    behind: list[StepForecast]
    missed: int
    at_risk: int
    rest: dict[str, int]

    RISKS, BEHIND = 3, 2  # written: the panel has room for no more at any size

    @classmethod
    def of(cls, forecast: Forecast) -> ForecastLines:
        risks, behind = forecast.at_risk, forecast.behind
        missed = sum(line.risk == "missed" for line in risks)
        rest = {"missed": 0, "at risk": 0, "behind": len(behind[cls.BEHIND :])}
        for line in risks[cls.RISKS :]:
            rest["missed" if line.risk == "missed" else "at risk"] += 1
        return cls(risks[: cls.RISKS], behind[: cls.BEHIND], missed, len(risks) - missed, rest)

    @property
    def rest_total(self) -> int:
        return sum(self.rest.values())

    @property
    def kinds(self) -> str:
        """``rest`` as the "+N more" line's ``data-kinds`` (JSON)."""
        return json.dumps(self.rest)
