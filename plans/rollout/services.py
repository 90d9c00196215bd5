"""Moving a plan's rollout: advancing to the next stage, and rolling back (a stage, or the launch). Each is a
decision of the rollout's authority role (primary or backup) or the coordinator, checked here, recorded
as an event, under the rollout's row lock. ``expected`` (the stage number the person saw) makes a second
click of the same button change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from roles.permissions import can_act_for_role

from ..models import PlanStatus
from ..services import event_record, plan_transition
from ..validators import BoundsError, clean_text
from .models import Rollout
from .selectors import MOVING_STATES, rollout_state

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User

    from ..models import Plan
    from ..permissions import Viewer

REASON_MAX = 2000
STAGE, LAUNCH = "stage", "launch"


class RolloutRefused(ValidationError):
    """The rollout may not advance now: one message per reason (the soak, a metric, a breach…)."""


def can_steer_rollout(user: Viewer | None, rollout: Rollout) -> bool:
    """The authority role's primary and backup, and the coordinator (no authority role: the coordinator)."""
    return can_act_for_role(user, rollout.authority_role, plan=rollout.plan)


def require_rollout_authority(user: Viewer | None, rollout: Rollout) -> None:
    if not can_steer_rollout(user, rollout):
        who = rollout.authority_role.name if rollout.authority_role is not None else "the coordinator"
        raise PermissionDenied(f"Only {who} (primary or backup) or the coordinator may move the rollout.")


def _locked(plan: Plan) -> Rollout:
    found = Rollout.objects.select_for_update(of=("self",)).select_related("plan", "authority_role").filter(plan=plan)
    rollout = found.first()
    if rollout is None:
        raise ValidationError("This plan has no rollout stages.")
    return rollout


def _authority(plan: Plan) -> Rollout:
    rollout = Rollout.objects.select_related("plan", "authority_role").filter(plan=plan).first()
    if rollout is None:
        raise ValidationError("This plan has no rollout stages.")
    return rollout


def rollout_advance(plan: Plan, *, by: User, expected: int | None = None, now: datetime | None = None) -> Rollout:
    """Move to the next stage (from none: start the first), refused with every reason while the stage soaks,
    a metric it needs is off target or unread during it, or a rollback trigger is in breach."""
    require_rollout_authority(by, _authority(plan))
    now = now or timezone.now()
    with transaction.atomic():
        rollout = _locked(plan)
        if expected is not None and expected != rollout.current:
            return rollout  # already moved (a second click, or another person): nothing to do
        state = rollout_state(rollout.plan, now=now)
        if state is None:  # (the format makes at least one stage; the admin may have deleted them all)
            raise ValidationError("This plan's rollout has no stages.")
        state.rollout = rollout
        reasons = state.blockers()
        if reasons:
            raise RolloutRefused(reasons)
        stage = state.next_stage
        assert stage is not None
        rollout.current += 1
        rollout.stage_started_at, rollout.stage_started_by = now, by
        rollout.save(update_fields=["current", "stage_started_at", "stage_started_by"])
        event_record(
            rollout.plan,
            kind="rollout.advanced",
            actor=by,
            role=rollout.authority_role,
            summary=f"Rollout advanced to {stage.percent} %: {stage.name}",
            data={"stage": rollout.current, "percent": stage.percent},
        )
    return rollout


def rollout_rollback(
    plan: Plan, *, by: User, to: str, reason: str, expected: int | None = None, now: datetime | None = None
) -> Rollout:
    """The authority's answer to a breach (or their own call): ``to="stage"`` goes back to the previous
    stage, whose soak starts again; ``to="launch"`` rolls the launch back (the plan's own transition).
    Either answers the breaches so far, so the board stops proposing."""
    if to not in (STAGE, LAUNCH):
        raise BoundsError("Roll back to the previous stage (stage) or the launch (launch).")
    text = clean_text(reason, max_length=REASON_MAX, multiline=True, field="Reason")
    if not text:
        raise BoundsError("Say why.")
    require_rollout_authority(by, _authority(plan))
    now = now or timezone.now()
    with transaction.atomic():
        rollout = _locked(plan)
        if expected is not None and expected != rollout.current:
            return rollout
        stages = list(rollout.stages.order_by("order", "id"))
        if rollout.current == 0 or not stages:
            raise ValidationError("Nothing to roll back: no stage is under way.")
        if rollout.plan.status not in MOVING_STATES:
            raise ValidationError(f"Nothing to roll back: the launch is {rollout.plan.get_status_display()}.")
        if to == STAGE:
            _stage_back(rollout, stages, by=by, reason=text, now=now)
        else:
            plan_transition(rollout.plan, to=PlanStatus.ROLLED_BACK, by=by, reason=text, checked=True)
            rollout.answered_at = now
            rollout.save(update_fields=["answered_at"])
            stage = stages[min(rollout.current, len(stages)) - 1]
            event_record(
                rollout.plan,
                kind="rollout.launch_rolled_back",
                actor=by,
                role=rollout.authority_role,
                summary=f"Rollout stopped at {stage.percent} %: launch rolled back: {text}",
                data={"stage": rollout.current, "reason": text},
            )
    return rollout


def _stage_back(rollout: Rollout, stages: list, *, by: User, reason: str, now: datetime) -> None:
    if rollout.current < 2:
        raise ValidationError("The first stage has no stage before it: roll back the launch instead.")
    left = stages[min(rollout.current, len(stages)) - 1]
    rollout.current -= 1
    back = stages[rollout.current - 1]
    rollout.stage_started_at, rollout.stage_started_by, rollout.answered_at = now, by, now
    rollout.save(update_fields=["current", "stage_started_at", "stage_started_by", "answered_at"])
    event_record(
        rollout.plan,
        kind="rollout.stage_rolled_back",
        actor=by,
        role=rollout.authority_role,
        summary=f"Rollout back from {left.percent} % to {back.percent} %: {reason}",
        data={"stage": rollout.current, "from": left.percent, "to": back.percent, "reason": reason},
    )
