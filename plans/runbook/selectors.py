"""Reads for runbook content: a plan's placeholders and links, its procedures (and which one the launch's
state has called), and the discretionary triggers a person may pull."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone

from ..closing import is_ended
from ..models import (
    Event,
    Placeholder,
    PlaceholderKind,
    PlanStatus,
    Procedure,
    ProcedureKind,
    ProcedureStep,
    RollbackTrigger,
    TriggerKind,
)
from .fill import placeholder_map, remember
from .procedure_forecast import ProcedureForecast, procedure_forecast

if TYPE_CHECKING:
    from ..models import Plan
    from ..permissions import Viewer

#: Which procedure a launch state calls.
CALLED_BY: dict[str, str] = {PlanStatus.ROLLED_BACK: ProcedureKind.ROLLBACK, PlanStatus.ABORTED: ProcedureKind.ABORT}


def placeholders(plan: Plan) -> list[Placeholder]:
    """The plan's placeholders with their gates (two queries); kept on ``plan`` for the page's text
    (:mod:`plans.runbook.fill`), which then reads them no more."""
    rows = list(Placeholder.objects.filter(plan=plan).prefetch_related("gates").order_by("order", "id"))
    remember(plan, rows)
    return rows


def plan_links(plan: Plan) -> list[Placeholder]:
    """Filled link placeholders (war-room bridge, status page, runbook), for the plan header and board; never
    a secret one (a notification route's webhook). One
    query, which also serves the page's placeholder substitution."""
    return [p for p in placeholder_map(plan).values() if p.kind == PlaceholderKind.LINK and p.filled and not p.secret]


@dataclass
class ProcedureView:
    procedure: Procedure
    steps: list[ProcedureStep] = field(default_factory=list)
    called: bool = False
    forecast: ProcedureForecast | None = None  # when a called procedure will be done (its steps' estimates)

    @property
    def done(self) -> int:
        return sum(s.done_at is not None for s in self.steps)


def procedures(plan: Plan, *, called_only: bool = False, now: datetime | None = None) -> list[ProcedureView]:
    """The plan's procedures with their steps (two queries); ``called`` is true for the one the launch's
    state runs (rolled back: the rollback procedure; aborted: the abort procedure), which gets its
    forecast end (one query more, for the moment it was called)."""
    kind = CALLED_BY.get(plan.status)
    if called_only and kind is None:
        return []
    rows = (
        Procedure.objects.filter(plan=plan)
        .select_related("lead_role")
        .prefetch_related(
            Prefetch("steps", queryset=ProcedureStep.objects.select_related("lead_role", "done_by").order_by("order"))
        )
        .order_by("order", "id")
    )
    views = [ProcedureView(p, list(p.steps.all()), called=p.kind == kind) for p in rows]
    called = [v for v in views if v.called]
    if called:  # one query: when the launch moved to the state that called them
        called_at = (
            Event.objects.filter(plan=plan, kind="plan.state", data__to=plan.status)
            .order_by("-at")
            .values("at")
            .first()
        )
        moment = called_at["at"] if called_at else None
        now = now or timezone.now()
        for v in called:
            v.forecast = procedure_forecast([(s.estimate, s.done_at) for s in v.steps], called_at=moment, now=now)
    return called if called_only else views


def pullable_triggers(plan: Plan, user: Viewer | None) -> list[RollbackTrigger]:
    """The discretionary triggers ``user`` may raise or clear (the service checks again); none once the
    launch has ended (closed, aborted, rolled back: plans.closing), when there is nothing left to roll back."""
    from .services import can_pull_trigger

    if is_ended(plan.status):
        return []

    rows = (
        RollbackTrigger.objects.filter(plan=plan, kind=TriggerKind.DISCRETIONARY)
        .prefetch_related("roles")
        .order_by("order", "id")
    )
    out = []
    for trigger in rows:
        trigger.plan = plan
        if can_pull_trigger(user, trigger):
            out.append(trigger)
    return out


def plan_content(plan: Plan) -> dict[str, object]:
    """What the plan page shows of the runbook content (4 queries): placeholders (and the filled links
    among them) and procedures."""
    every = placeholders(plan)
    return {
        "placeholders": every,
        "unfilled": [p for p in every if p.required and not p.filled],
        "links": [p for p in every if p.kind == PlaceholderKind.LINK and p.filled and not p.secret],
        "procedures": procedures(plan),
    }


def trigger_raised_via(trigger: RollbackTrigger) -> str:
    """What raised a trigger for the identity that pulled it (``"alert"``: an alert route), from the event its
    last raise recorded; ``""`` when nothing but the puller did (a person, or a tool through the API)."""
    data = (
        Event.objects.filter(plan_id=trigger.plan_id, kind="rollback.raised", data__trigger=trigger.pk)
        .order_by("-at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    return str(data.get("via", "")) if isinstance(data, dict) else ""
