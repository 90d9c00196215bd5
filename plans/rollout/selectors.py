"""Where a plan's rollout stands: the stage under way, its soak, the health of the metrics that must hold,
why it may not advance yet and, when a rollback trigger is in breach during a stage, the rollback it
proposes. Pure over rows the caller may already hold (the board passes its metric rows and trigger
states, so the panel costs it one or two queries: :func:`rollout_stages`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from math import ceil
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery

from ..metrics import AUTO_REASON, TriggerState, readings_for_window, trigger_state
from ..models import MetricReading, PlanStatus, RollbackTrigger, SuccessMetric
from ..numbers import format_quantity
from ..offsets import format_duration
from .models import Rollout, RolloutStage

if TYPE_CHECKING:
    from ..models import Plan

#: The launch states in which the traffic may move: after T-0, before the launch is over.
MOVING_STATES = {PlanStatus.LAUNCHED, PlanStatus.STABILIZING}


@dataclass(frozen=True)
class Health:
    """One metric the current stage needs: its latest reading taken during the stage, against target."""

    metric: SuccessMetric
    value: Decimal | None
    at: datetime | None

    @property
    def meets(self) -> bool | None:
        return None if self.value is None else self.metric.meets(float(self.value))

    @property
    def status(self) -> str:
        """``on``, ``off`` or ``none`` (no reading since the stage started)."""
        return {True: "on", False: "off"}.get(self.meets, "none")  # type: ignore[arg-type]

    def reason(self, stage: RolloutStage) -> str | None:
        m = self.metric
        target = f"{m.comparator} {format_quantity(m.target, m.unit)}"
        if self.value is None:
            return f"{m.name} has no reading since the {stage.percent} % stage started (target {target})."
        if self.meets is False:
            return f"{m.name} is off target: {format_quantity(self.value, m.unit)} (target {target})."
        return None


@dataclass(frozen=True)
class Proposal:
    """A rollback trigger in breach during a stage: go back to ``back_to`` (None at the first stage: only
    the launch can roll back) or roll back the launch; the authority records which."""

    trigger: RollbackTrigger
    since: datetime
    back_to: RolloutStage | None


@dataclass
class RolloutState:
    plan: Plan
    rollout: Rollout
    stages: list[RolloutStage]
    now: datetime
    health: list[Health] = field(default_factory=list)
    breaches: list[TriggerState] = field(default_factory=list)

    @property
    def number(self) -> int:
        return min(self.rollout.current, len(self.stages))

    @property
    def stage(self) -> RolloutStage | None:
        return self.stages[self.number - 1] if self.number else None

    @property
    def next_stage(self) -> RolloutStage | None:
        return self.stages[self.number] if self.number < len(self.stages) else None

    @property
    def previous_stage(self) -> RolloutStage | None:
        return self.stages[self.number - 2] if self.number >= 2 else None

    @property
    def authority(self) -> str:
        role = self.rollout.authority_role
        return role.name if role is not None else "the coordinator"

    @property
    def soak_ends_at(self) -> datetime | None:
        if self.stage is None or self.rollout.stage_started_at is None:
            return None
        return self.rollout.stage_started_at + self.stage.soak

    @property
    def soak_remaining(self) -> timedelta | None:
        """How long the stage must still soak (None: not in a stage; zero: soaked)."""
        ends = self.soak_ends_at
        return None if ends is None else max(ends - self.now, timedelta(0))

    @property
    def soaking(self) -> bool:
        return bool(self.soak_remaining)

    @property
    def healthy(self) -> bool:
        return all(h.status == "on" for h in self.health)

    @property
    def proposal(self) -> Proposal | None:
        """The rollback a breach proposes, while in a stage of a launch that may still move and not yet
        answered by the authority (a stage rollback answers the breaches before it)."""
        if self.stage is None or self.plan.status not in MOVING_STATES:
            return None
        answered = self.rollout.answered_at
        for state in self.breaches:
            since = breach_moment(state)
            if since is not None and (answered is None or since > answered):
                return Proposal(state.trigger, since, self.previous_stage)
        return None

    @property
    def ready(self) -> bool:
        """May advance now (the board's READY)."""
        return not self.blockers()

    def blockers(self) -> list[str]:
        """Why the rollout may not advance now, one sentence each (empty: it may)."""
        reasons: list[str] = []
        if self.plan.status not in MOVING_STATES:
            reasons.append(
                f"The launch is {self.plan.get_status_display()}: the traffic moves only once it is launched."
            )
        if self.next_stage is None:
            reasons.append(f"The rollout is at its last stage ({self.stages[-1].percent} %).")
        stage = self.stage
        if stage is not None and self.soaking and self.soak_ends_at is not None and self.soak_remaining is not None:
            ends = self.plan.local(self.soak_ends_at)
            left = format_duration(timedelta(minutes=ceil(self.soak_remaining.total_seconds() / 60)))
            reasons.append(f"The {stage.percent} % stage soaks until {ends:%H:%M} ({left} left).")
        if stage is not None:
            reasons += [r for h in self.health if (r := h.reason(stage)) is not None]
        reasons += [f"Rollback trigger “{s.trigger.description}” is in breach." for s in self.breaches]
        return reasons


def breach_moment(state: TriggerState) -> datetime | None:
    """When the trigger went into breach: raised by a person, or its run's alarm moment."""
    trigger = state.trigger
    if trigger.raised_at is not None and not trigger.raised_reason.startswith(AUTO_REASON):
        return trigger.raised_at
    return state.alarm_at or trigger.raised_at


def rollout_stages(plan: Plan) -> list[RolloutStage]:
    """The plan's stages in order, each with its rollout (and authority role) and ``metric_ids``. One query
    for a plan without a rollout, two with one (the stages' metrics from their link table: PostgreSQL's
    ARRAY_AGG did it in one, and SQLite, ``make run``'s database, has none: the board was a 500 there)."""
    query = RolloutStage.objects.filter(rollout__plan=plan).select_related("rollout__authority_role")
    stages = list(query.order_by("order", "id"))
    if stages:
        links = RolloutStage.metrics.through.objects.filter(rolloutstage__in=stages).order_by("id")
        metric_ids: dict[int, list[int]] = {stage.pk: [] for stage in stages}
        for stage_id, metric_id in links.values_list("rolloutstage_id", "successmetric_id"):
            metric_ids[stage_id].append(metric_id)
        for stage in stages:
            stage.metric_ids = metric_ids[stage.pk]  # type: ignore[attr-defined]
    return stages


def rollout_from(
    plan: Plan,
    stages: list[RolloutStage],
    *,
    now: datetime,
    metrics: dict[int, tuple[SuccessMetric, Any]],
    states: list[TriggerState],
) -> RolloutState | None:
    """The rollout from rows already read: ``metrics`` maps a metric's id to (metric, its latest reading
    or None); ``states`` are the plan's rollback trigger states."""
    if not stages:
        return None
    rollout = stages[0].rollout
    state = RolloutState(plan, rollout, stages, now, breaches=[s for s in states if s.in_breach])
    stage = state.stage
    if stage is not None:
        started = rollout.stage_started_at
        held = [pk for pk in getattr(stage, "metric_ids", None) or [] if pk in metrics]
        for pk in sorted(held, key=lambda pk: (metrics[pk][0].order, pk)):
            metric, latest = metrics[pk]
            fresh = latest is not None and (started is None or latest.recorded_at >= started)
            state.health.append(Health(metric, latest.value if fresh else None, latest.recorded_at if fresh else None))
    return state


def rollout_state(plan: Plan, *, now: datetime) -> RolloutState | None:
    """The rollout read on its own (for its page, the API and the services): the stages, the current stage's
    metrics with their latest readings, and the trigger states."""
    stages = rollout_stages(plan)
    if not stages:
        return None
    ids = {pk for s in stages for pk in (getattr(s, "metric_ids", None) or [])}
    # Each metric's newest reading, in one query that SQLite runs too (DISTINCT ON is PostgreSQL's own).
    newest = MetricReading.objects.filter(metric_id=OuterRef("metric_id")).order_by("-recorded_at", "-id")
    latest = {
        r.metric_id: r for r in MetricReading.objects.filter(metric_id__in=ids, pk=Subquery(newest.values("pk")[:1]))
    }
    metrics = {m.pk: (m, latest.get(m.pk)) for m in SuccessMetric.objects.filter(pk__in=ids).order_by("order", "id")}
    for stage in stages:  # (the page lists what each stage must hold, in the plan's metric order)
        held = set(getattr(stage, "metric_ids", None) or [])
        stage.metric_names = [m.name for pk, (m, _) in metrics.items() if pk in held]  # type: ignore[attr-defined]
    return rollout_from(plan, stages, now=now, metrics=metrics, states=trigger_states(plan, now))


def trigger_states(plan: Plan, now: datetime) -> list[TriggerState]:
    triggers = list(RollbackTrigger.objects.filter(plan=plan).select_related("metric").order_by("order", "id"))
    states = []
    for trigger in triggers:
        trigger.plan = plan
        window = trigger.sustained_for or timedelta(0)
        readings = readings_for_window(trigger.metric, now=now, window=window) if trigger.metric else []
        states.append(trigger_state(trigger, readings, now=now))
    return states


def proposal_text(state: RolloutState | None) -> str:
    """What a breach during a stage proposes, in a sentence (empty: no proposal): for the alarm's message and
    the board."""
    proposal = state.proposal if state is not None else None
    if state is None or proposal is None or state.stage is None:
        return ""
    options = f"roll back to {proposal.back_to.percent} % or " if proposal.back_to is not None else ""
    return (
        f"During the rollout's {state.stage.percent} % stage ({state.stage.name}): {options}roll back the launch. "
        f"{state.authority} decides on the rollout page."
    )
