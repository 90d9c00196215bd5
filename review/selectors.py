"""Reads what happened in a launch and hands it to the pure figures (review.figures): the review of a plan
as one :class:`Review`, computed at ``now`` (a still-open issue's SLA, an unfinished step)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from communications.models import Delivery, DeliveryStatus
from issues.models import Issue, SeveritySLA
from plans.metric_runs import plan_metric_runs
from plans.models import Event, Hold, Phase, Plan, Step
from plans.schedule import plan_forecast

from .decisions import Decision, GateDecision, ReadinessAt, decision_record, gate_decisions, person
from .figures.issues import IssueRun, IssueTotals, issue_totals
from .figures.metrics import MetricRun
from .figures.steps import PhaseRun, StepRun, StepTotals, critical_path, phase_runs, step_totals
from .models import FollowUp, Handoff, Lesson


@dataclass(frozen=True)
class HoldRun:
    reason: str
    started_at: datetime
    ended_at: datetime | None
    started_by: str
    ended_by: str
    length: timedelta  # up to now for a hold still open
    slip: timedelta | None


@dataclass(frozen=True)
class Alarm:
    at: datetime
    kind: str
    what: str
    who: str


@dataclass(frozen=True)
class CommsRun:
    total: int
    by_status: dict[str, int]
    sent: int
    sent_late: int
    late: int  # too late to send (expired)
    failed: int
    problems: list[Delivery]  # failed, expired or sent late, for the table


@dataclass
class Review:
    plan: Plan
    now: datetime
    steps: list[StepRun]
    phases: list[PhaseRun]
    totals: StepTotals
    path: list[StepRun]
    holds: list[HoldRun]
    decisions: list[GateDecision]
    record: list[Decision]
    issues: list[IssueRun]
    issue_totals: IssueTotals
    metrics: list[MetricRun]
    alarms: list[Alarm]
    comms: CommsRun
    withdrawn: list[Alarm] = field(default_factory=list)  # readings withdrawn as typed wrong (what, who, why)
    lessons: list[Lesson] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    handoff: Handoff | None = None

    @property
    def hold_time(self) -> timedelta:
        return sum((h.length for h in self.holds), timedelta(0))

    @property
    def readiness_at_gate(self) -> tuple[GateDecision, ReadinessAt] | None:
        """The last GO decision that kept the training figures, and its weakest audience (of those its gate
        read; of all when it read none). None: no gate was passed with figures to keep."""
        for d in reversed(self.decisions):
            if d.decision == "go" and d.readiness:
                pool = [r for r in d.readiness if r.bar is not None] or list(d.readiness)
                return d, min(pool, key=lambda r: -1 if r.percent is None else r.percent)
        return None

    @property
    def criteria(self) -> list[MetricRun]:
        return [m for m in self.metrics if m.criterion]

    @property
    def criteria_met(self) -> int:
        return sum(1 for m in self.criteria if m.verdict == "met")

    @property
    def criteria_open(self) -> int:
        return sum(1 for m in self.criteria if m.verdict == "open")

    @property
    def time_to_first_critical(self) -> timedelta | None:
        first = self.issue_totals.first_critical_at
        return None if first is None else first - self.plan.t0


def _steps(plan: Plan, now: datetime) -> list[StepRun]:
    steps = list(  # a recurring step is in no chain (checklists.series): the run of steps leaves it out
        Step.objects.filter(plan=plan, recurring=False)
        .select_related("phase", "lead_role")
        .order_by("offset", "order", "pk")
    )
    fc = plan_forecast(plan, now=now, steps=steps)
    gate_steps = {g.gate.id: g.gate.criteria_steps for g in fc.gates.values()}
    runs = []
    for s in steps:
        f = fc.steps[s.pk]
        preds = set(f.task.after) | {p for g in f.task.gates for p in gate_steps.get(g, ())}
        runs.append(
            StepRun(
                id=s.pk,
                name=s.name,
                phase=s.phase.name if s.phase else "",
                role=s.lead_role.name if s.lead_role else "",
                status=s.status,
                planned_start=f.planned_start,
                planned_end=f.planned_end,
                actual_start=s.actual_start,
                actual_finish=s.actual_finish,
                predecessors=tuple(sorted(preds - {s.pk})),
            )
        )
    return runs


def _holds(plan: Plan, now: datetime) -> list[HoldRun]:
    return [
        HoldRun(
            h.reason,
            h.started_at,
            h.ended_at,
            person(h.started_by),
            person(h.ended_by) if h.ended_at else "",
            (h.ended_at or now) - h.started_at,
            h.slip,
        )
        for h in Hold.objects.filter(plan=plan).select_related("started_by", "ended_by").order_by("started_at")
    ]


def _issues(plan: Plan, now: datetime) -> list[IssueRun]:
    resolve = dict(SeveritySLA.objects.filter(plan=plan).values_list("severity", "resolve_within"))
    return [
        IssueRun(
            i.number,
            i.title,
            i.severity,
            i.status,
            i.reported_at,
            i.acknowledged_at,
            i.resolved_at,
            i.respond_by,
            resolve.get(i.severity),
            now,
        )
        for i in Issue.objects.filter(plan=plan).order_by("reported_at", "number")
    ]


def _alarms(plan: Plan) -> list[Alarm]:
    kinds = ("rollback.breach", "rollback.raised", "rollback.cleared", "trigger.raised", "trigger.cleared")
    events = Event.objects.filter(plan=plan).filter(kind__in=kinds).select_related("actor").order_by("at", "pk")
    alarms = [Alarm(e.at, e.kind, e.summary, person(e.actor)) for e in events]
    rolled = Event.objects.filter(plan=plan, kind="plan.state", data__to="rolled_back").select_related("actor")
    alarms += [Alarm(e.at, "plan.rolled_back", e.summary, person(e.actor)) for e in rolled]
    return sorted(alarms, key=lambda a: a.at)


def _withdrawn(plan: Plan) -> list[Alarm]:
    """The readings withdrawn as typed or sent wrong (plans.readings.services): the review says the data was
    corrected, by whom and why, since the figures above no longer count them."""
    events = Event.objects.filter(plan=plan, kind="metric.reading_withdrawn").select_related("actor")
    return [Alarm(e.at, e.kind, e.summary, person(e.actor)) for e in events.order_by("at", "pk")]


def _comms(plan: Plan) -> CommsRun:
    rows = list(Delivery.objects.filter(plan=plan).order_by("due_at", "pk"))
    counts = Counter(d.status for d in rows)
    late_sent = [d for d in rows if d.sent_late]
    problems = [d for d in rows if d.status in (DeliveryStatus.FAILED, DeliveryStatus.LATE) or d.sent_late]
    return CommsRun(
        total=len(rows),
        by_status=dict(counts),
        sent=counts.get(DeliveryStatus.SENT, 0),
        sent_late=len(late_sent),
        late=counts.get(DeliveryStatus.LATE, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        problems=problems,
    )


def plan_review(plan: Plan, *, now: datetime, charts: bool = True) -> Review:
    """The whole review of ``plan`` as of ``now`` (without ``charts``, a busy metric's chart has no points:
    :func:`plans.metric_runs.plan_metric_runs`)."""
    steps = _steps(plan, now)
    phase_names = list(Phase.objects.filter(plan=plan).order_by("order", "pk").values_list("name", flat=True))
    issues = _issues(plan, now)
    return Review(
        plan=plan,
        now=now,
        steps=steps,
        phases=phase_runs(steps, phase_names),
        totals=step_totals(steps),
        path=critical_path(steps),
        holds=_holds(plan, now),
        decisions=gate_decisions(plan),
        record=decision_record(plan),
        issues=issues,
        issue_totals=issue_totals(issues),
        metrics=plan_metric_runs(plan, now=now, charts=charts),
        alarms=_alarms(plan),
        comms=_comms(plan),
        withdrawn=_withdrawn(plan),
        lessons=list(Lesson.objects.filter(plan=plan).select_related("created_by")),
        follow_ups=list(
            FollowUp.objects.filter(plan=plan).select_related("owner_role", "item").order_by("due_date", "pk")
        ),
        handoff=Handoff.objects.filter(plan=plan)
        .select_related("to_role", "proposed_by", "accepted_by", "reverted_by")
        .first(),
    )


def handoff_history(plan: Plan) -> list[Event]:
    """Every step of the operations handoff, oldest first (proposed, accepted, reverted, proposed again...),
    from the activity log, with who took it: the handoff's row keeps only the latest round (1 query)."""
    return list(Event.objects.filter(plan=plan, kind="review.handoff").select_related("actor").order_by("at", "id"))


__all__ = ["Review", "handoff_history", "plan_review"]


def follow_up_items(plan_id: int) -> set[int]:
    """The plan's items that are follow-up actions (``plans.closing.register_open_items``): they stay open to
    their owners after the launch ended."""
    return set(FollowUp.objects.filter(plan_id=plan_id, item__isnull=False).values_list("item_id", flat=True))
