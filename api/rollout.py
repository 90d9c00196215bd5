"""The staged rollout through the API: its place in the live state (:func:`rollout_out`), and the authority's
two moves, advance and rollback, through :mod:`plans.rollout.services` as the token's service identity
(the coordinator's rights on its plan). Scope ``rollout``. A move the moment refuses (the soak, a metric,
a breach) is a 409 with every reason, and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from ninja import Router

from plans.models import Plan, RolloutStage
from plans.rollout.selectors import RolloutState, rollout_state
from plans.rollout.services import rollout_advance, rollout_rollback

from .auth import TokenAuth, access
from .errors import service_call
from .models import Scope
from .rollout_schemas import AdvanceIn, RollbackIn, RolloutOut
from .schemas import Error

router = Router(tags=["rollout"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}


def _stage(stage: RolloutStage | None, number: int) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {
        "number": number,
        "name": stage.name,
        "percent": stage.percent,
        "soak_seconds": stage.soak.total_seconds(),
        "metrics": list(getattr(stage, "metric_names", [])),
    }


def rollout_out(plan: Plan, now: datetime, state: RolloutState | None = None) -> dict[str, Any] | None:
    """The rollout in the live state (null for a plan without stages)."""
    state = state or rollout_state(plan, now=now)
    if state is None:
        return None
    proposal = state.proposal
    remaining = state.soak_remaining
    return {
        "authority": state.authority,
        "stage": _stage(state.stage, state.number),
        "started_at": state.rollout.stage_started_at if state.stage else None,
        "soak_ends_at": state.soak_ends_at,
        "soak_remaining_seconds": remaining.total_seconds() if remaining is not None else None,
        "health": [
            {
                "metric": h.metric.name,
                "slug": slugify(h.metric.name),
                "status": h.status,
                "value": h.value,
                "recorded_at": h.at,
            }
            for h in state.health
        ],
        "ready": not state.blockers(),
        "blockers": state.blockers(),
        "next_stage": _stage(state.next_stage, state.number + 1),
        "proposal": None
        if proposal is None
        else {
            "trigger": proposal.trigger.description,
            "since": proposal.since,
            "back_to_percent": proposal.back_to.percent if proposal.back_to else None,
        },
        "stages": [_stage(s, i) for i, s in enumerate(state.stages, start=1)],
    }


def _answer(plan: Plan) -> dict[str, Any]:
    fresh = Plan.objects.get(pk=plan.pk)
    out = rollout_out(fresh, timezone.now())
    assert out is not None
    return out


@router.post(
    "/plans/{plan}/rollout/advance",
    response={200: RolloutOut, **ERRORS},
    url_name="rollout_advance",
    auth=TokenAuth(Scope.ROLLOUT),
    summary="Advance the rollout to its next stage",
    description="Scope `rollout`. Refused (409, every reason) while the stage soaks, a metric it needs is off "
    "target or unread in the stage, or a rollback trigger is in breach. Send `from_stage` to make a retry safe.",
)
def rollout_advance_call(request: HttpRequest, plan: str, body: AdvanceIn | None = None) -> dict[str, Any]:
    where = access(request, plan, Scope.ROLLOUT)
    with service_call():
        rollout_advance(where.plan, by=where.identity, expected=body.from_stage if body is not None else None)
    return _answer(where.plan)


@router.post(
    "/plans/{plan}/rollout/rollback",
    response={200: RolloutOut, **ERRORS},
    url_name="rollout_rollback",
    auth=TokenAuth(Scope.ROLLOUT),
    summary="Roll back a stage, or the launch",
    description="Scope `rollout`. `to: stage` goes back to the previous stage (its soak starts again); "
    "`to: launch` moves the launch to Rolled back. The reason is recorded with the decision.",
)
def rollout_rollback_call(request: HttpRequest, plan: str, body: RollbackIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ROLLOUT)
    with service_call("reason"):
        rollout_rollback(where.plan, by=where.identity, to=body.to, reason=body.reason, expected=body.from_stage)
    return _answer(where.plan)
