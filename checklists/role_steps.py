"""The steps of a role page with their live forecast (issue 10): planned vs forecast start and end, and
the slip, as on the timeline. The plan's steps are read once (the forecast needs them all: a step's
forecast follows its predecessors, whoever leads them) and the role's are taken from them, so the
forecast costs two queries (the gates and their criteria) and nothing per step."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from plans.forecast import StepForecast
from plans.models import Plan, Step
from plans.schedule import plan_forecast, step_tasks

from .timing import prefetched_marks

if TYPE_CHECKING:
    from django.db.models import QuerySet

#: A step's dependencies, as its row shows them (name, state) and the forecast needs them (ids).
DEPS = Prefetch("depends_on", queryset=Step.objects.only("id", "name", "status").order_by("offset", "order"))


def _steps(plan: Plan) -> QuerySet[Step]:
    return (
        Step.objects.filter(plan=plan)
        .select_related("started_by", "finished_by", "phase", "recurrence")
        .prefetch_related(DEPS, "after_gates", "phase__after_gates")
    )


def role_steps(plan: Plan, lead_role_id: int | None, *, now: datetime) -> tuple[list[Step], dict[int, StepForecast]]:
    """The steps ``lead_role_id`` leads (None: the steps no role leads) and, for a plan with a T-0 that has not
    ended, every step's forecast by id (4 queries for the steps, their dependencies and the gates they and
    their phases wait for; 2 more for the plan's gates and their criteria when the role leads a step). An ended
    launch has no forecast, as on the board: its clock has stopped (its steps' rows say what was done)."""
    every = list(_steps(plan))
    mine = [s for s in every if s.lead_role_id == lead_role_id]
    if plan.t0 is None or plan.clockless or plan.has_ended or not mine:
        return mine, {}
    every = [s for s in every if not s.recurring]  # a recurring step is in no chain: no forecast
    deps = {s.pk: [d.pk for d in s.depends_on.all()] for s in every}
    marks, waits = prefetched_marks(plan.pk, every)  # the waits from the prefetch: the gates and criteria only
    return mine, plan_forecast(plan, now=now, tasks=(step_tasks(every, waits, deps), marks)).steps


def one_step_forecast(plan: Plan, step: Step, *, now: datetime) -> StepForecast | None:
    """One step's forecast (for the row a Start or Finish returns); none once the launch has ended."""
    if plan.t0 is None or plan.clockless or plan.has_ended:
        return None
    return plan_forecast(plan, now=now).steps.get(step.pk)
