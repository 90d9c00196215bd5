"""Reads for the role and gate pages. Each returns what a page needs in a fixed number of queries,
however many items the plan holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from plans.closing import row_writable
from plans.duedates import due_label
from plans.forecast import StepForecast
from plans.lateness import is_late, item_due, plan_clock, step_is_late
from plans.models import Event, Plan, PlanStatus, Step, StepStatus
from plans.offsets import format_offset
from plans.permissions import can_coordinate
from plans.selectors import open_hold
from plans.slips import planned_offset
from plans.wallclock import offset_of
from roles.models import UNOWNED_SLUG, Role, Shift
from roles.permissions import acting_rank, can_act_for_role
from roles.rota.oncall import next_shift, on_call_at, plan_shifts

from .models import Gate, GateStatus, Item, ItemStatus, NoGoTrigger, Vote
from .readiness_bars import gate_readiness
from .role_steps import DEPS, one_step_forecast, role_steps
from .series.state import states_for_items, states_for_steps
from .series.times import SeriesState
from .services import can_decide, can_raise_triggers, gate_blockers, gate_unset
from .summary import STATE_LABELS, row_summary, settled

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from plans.permissions import Viewer


def timing_state(now: datetime, due: datetime | None, lead: timedelta) -> str:
    """Upcoming until ``lead`` before ``due`` (the reminder lead), then due soon, then overdue from the due
    time on: the one meaning of late in :mod:`plans.lateness`, the same as the board's and the reminders'."""
    if due is None or now < due - lead:
        return "upcoming"
    return "overdue" if is_late(now, due) else "due_soon"


def _open_blockers(step: Step | None) -> list[Step]:
    if step is None:
        return []
    return [d for d in step.depends_on.all() if d.status not in (StepStatus.DONE, StepStatus.SKIPPED)]


@dataclass
class Row:
    kind: str  # "item" or "step"
    obj: Any
    offset: timedelta | None
    due: datetime | None
    state: str
    can_act: bool
    blockers: list[Step | Gate] = field(default_factory=list)
    late: bool = False
    message: str = ""
    typed_note: str | None = None  # a note whose save was refused, given back in its field (checklists.views)
    children: list[Row] = field(default_factory=list)
    planned: timedelta | None = None  # the offset as planned (plans.slips): what the page shows
    due_text: str = ""  # a clockless plan's due date as people read it (plans.duedates)
    fc: StepForecast | None = None  # a step's live forecast (planned vs forecast start and end, the slip)
    series: SeriesState | None = None  # a recurring item or step: its occurrences' state (checklists.series)

    @property
    def title(self) -> str:
        return str(self.obj.name if self.kind == "step" else self.obj.title)

    @property
    def tick_view(self) -> str:
        """The URL name that ticks one occurrence of this row's series."""
        return "checklists:step_occurrence_tick" if self.kind == "step" else "checklists:occurrence_tick"

    @property
    def untick_view(self) -> str:
        return "checklists:step_occurrence_untick" if self.kind == "step" else "checklists:occurrence_untick"

    @property
    def children_done(self) -> int:
        return sum(c.state in ("done", "skipped") for c in self.children)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def offset_label(self) -> str:
        shown = self.planned if self.planned is not None else self.offset
        return format_offset(shown) if shown is not None else "—"

    @property
    def dom_id(self) -> str:
        return f"{self.kind}-{self.obj.pk}"


def series_row(plan: Plan, kind: str, obj: Any, series: SeriesState, can_act: bool) -> Row:
    """The row of a recurring item or step: its current (or next) occurrence."""
    slot = series.current or series.next
    due = slot.due if slot is not None else None
    offset = offset_of(plan, due) if due is not None else None
    return Row(kind, obj, offset, due, settled(plan, series.state), can_act, planned=offset, series=series)


def item_row(plan: Plan, item: Item, *, now: datetime, can_act: bool, series: SeriesState | None = None) -> Row:
    if series is not None:  # a recurring item: the row is its current (or next) occurrence
        return series_row(plan, "item", item, series, can_act)
    due = item_due(plan, item.due_offset, item.due_by)  # late from here on (plans.lateness)
    blockers: list[Step | Gate] = []
    if item.status == ItemStatus.DONE:
        state = "done"
    elif item.status == ItemStatus.SKIPPED:
        state = "skipped"
    else:
        step = item.step
        blockers = [*_open_blockers(step)] if step is not None and step.status == StepStatus.PENDING else []
        state = "blocked" if blockers else timing_state(plan_clock(plan, now), due, plan.reminder_lead)
    state, planned = settled(plan, state), planned_offset(plan, item.due_offset)  # an ended launch: not finished
    label = "" if item.due_by is None else due_label(item.due_by, item.due_all_day, plan.zone)
    return Row("item", item, item.due_offset, due, state, can_act, blockers, planned=planned, due_text=label)


def step_row(
    plan: Plan,
    step: Step,
    *,
    now: datetime,
    can_act: bool,
    fc: StepForecast | None = None,
    series: SeriesState | None = None,
) -> Row:
    if series is not None:  # a recurring step: the row is its current (or next) occurrence, never started
        return series_row(plan, "step", step, series, can_act)
    start = plan.at(step.offset)
    blockers: list[Step | Gate] = []
    late = not plan.has_ended and step_is_late(
        plan=plan,
        offset=step.offset,
        duration=step.duration,
        status=step.status,
        now=now,
        actual_finish=step.actual_finish,
    )
    if step.status == StepStatus.DONE:
        state = "done"
    elif step.status == StepStatus.SKIPPED:
        state = "skipped"
    elif step.status == StepStatus.IN_PROGRESS:
        state = "in_progress"
    else:
        waits = {g.pk: g for g in step.after_gates.all()}
        if step.phase is not None:  # a phase placed after a gate holds all its steps
            waits.update((g.pk, g) for g in step.phase.after_gates.all())
        closed_gates = [g for g in waits.values() if g.status != GateStatus.PASSED]
        blockers = [*_open_blockers(step), *closed_gates]
        state = "blocked" if blockers else timing_state(plan_clock(plan, now), start, plan.reminder_lead)
    state, planned = settled(plan, state), planned_offset(plan, step.offset)  # an ended launch: not finished
    return Row("step", step, step.offset, start, state, can_act, blockers, late, planned=planned, fc=fc)


_DEPS = DEPS
_ITEM_STEP_DEPS = Prefetch(
    "step__depends_on", queryset=Step.objects.only("id", "name", "status").order_by("offset", "order")
)


class Unowned:
    """Stands in for a role on the page of what the plan gives to no role: items with no owner role
    (and no checklist role) and steps with no lead. They are the coordinator's to work."""

    slug = UNOWNED_SLUG
    name = "No owner role (coordinator)"
    pk = id = primary = backup = primary_id = backup_id = None

    def __init__(self, plan: Plan) -> None:
        self.plan = plan


def _owned_by(role: Role | Unowned) -> Q:
    if isinstance(role, Unowned):
        return Q(owner_role__isnull=True, checklist__role__isnull=True)
    return Q(owner_role=role) | Q(owner_role__isnull=True, checklist__role=role)


def led_by(role: Role | Unowned) -> Q:
    return Q(lead_role__isnull=True) if isinstance(role, Unowned) else Q(lead_role=role)


def role_may(user: Viewer, role: Role | Unowned) -> bool:
    if isinstance(role, Unowned):
        return can_act_for_role(user, None, plan=role.plan)
    return can_act_for_role(user, role)


def items_for_role(plan: Plan, role: Role | Unowned) -> QuerySet[Item]:
    return (
        Item.objects.filter(plan=plan)
        .filter(_owned_by(role))
        .select_related("done_by", "checklist", "step", "gate", "parent", "recurrence")
        .prefetch_related(_ITEM_STEP_DEPS)
    )


def _sort_key(row: Row) -> tuple:
    missing = row.offset is None
    return (missing, row.offset or timedelta(0), 0 if row.kind == "step" else 1, getattr(row.obj, "order", 0))


def nest_rows(rows: list[Row]) -> list[Row]:
    """Sub-items follow their parent item (when it is on the same page), in their own order."""
    parents = {row.obj.pk: row for row in rows if row.kind == "item" and row.obj.parent_id is None}
    for row in rows:
        parent = parents.get(row.obj.parent_id) if row.kind == "item" and row.obj.parent_id else None
        if parent is not None:
            parent.children.append(row)
    nested = {id(child) for parent in parents.values() for child in parent.children}
    out: list[Row] = []
    for row in rows:
        if id(row) in nested:
            continue
        out.append(row)
        if row.kind == "item" and row.obj.pk in parents:
            out.extend(sorted(row.children, key=lambda r: (r.obj.order, r.obj.pk)))
    return out


def role_for(plan: Plan, slug: str) -> Role | Unowned:
    if slug == UNOWNED_SLUG:
        return Unowned(plan)
    has_rota = Exists(Shift.objects.filter(role=OuterRef("pk")))  # the on-call line's query only when needed
    role = get_object_or_404(
        Role.objects.select_related("primary", "backup").annotate(has_rota=has_rota), plan=plan, slug=slug
    )
    role.plan = plan
    return role


def role_page(plan: Plan, role: Role | Unowned, *, user: Viewer, now: datetime) -> dict[str, Any]:
    """The role's items and the steps it leads, in due order, with their states (5 queries; 6 on hold; one
    more for an ended launch's follow-up actions)."""
    can_act = role_may(user, role)
    items = list(items_for_role(plan, role))
    series = states_for_items(plan, items, now=now)  # one query, none when nothing recurs
    may = row_writable(plan, can_act)
    rows = [item_row(plan, item, now=now, can_act=may(item.pk), series=series.get(item.pk)) for item in items]
    steps, forecast = role_steps(plan, role.pk, now=now)
    step_series = states_for_steps(plan, steps, now=now)  # one query, none when no step recurs
    rows += [
        step_row(plan, step, now=now, can_act=may(None), fc=forecast.get(step.pk), series=step_series.get(step.pk))
        for step in steps
    ]
    rows.sort(key=_sort_key)
    rows = nest_rows(rows)
    summary, step_summary, progress = row_summary(rows)
    other_roles: list[Role | Unowned] = list(
        Role.objects.filter(plan=plan).only("id", "name", "slug", "order", "plan_id")
    )
    other_roles.append(Unowned(plan))
    return {
        "role": role,
        "rows": rows,
        "can_act": can_act,
        "still_open": plan.has_ended and any(r.can_act for r in rows),  # follow-up actions after the launch ended
        "summary": summary,
        "step_summary": step_summary,
        "progress": progress,
        "roles": other_roles,
        "on_call": role_on_call(plan, role, now),
        "hold": open_hold(plan),  # the launch is on hold: said above the rows, live with them
    }


def role_on_call(plan: Plan, role: Role | Unowned, now: datetime) -> dict[str, Any] | None:
    """Who is on call for the role now and who takes over next (one query; none for the unowned page)."""
    if isinstance(role, Unowned) or not getattr(role, "has_rota", True):
        return None
    shifts = plan_shifts(plan, role_ids=[role.pk])
    if not shifts:
        return None
    return {"now": on_call_at(shifts, now).get(role.pk), "next": next_shift(shifts, role.pk, now)}


def one_item_row(plan: Plan, role: Role | Unowned, pk: int, *, user: Viewer, now: datetime) -> Row:
    item = get_object_or_404(items_for_role(plan, role), pk=pk)
    series = states_for_items(plan, [item], now=now).get(item.pk)
    return item_row(plan, item, now=now, can_act=row_writable(plan, role_may(user, role))(item.pk), series=series)


def one_step_row(plan: Plan, role: Role | Unowned, pk: int, *, user: Viewer, now: datetime) -> Row:
    step = get_object_or_404(
        Step.objects.filter(led_by(role), plan=plan)
        .select_related("started_by", "finished_by", "phase", "recurrence")
        .prefetch_related(_DEPS, "after_gates", "phase__after_gates"),
        pk=pk,
    )
    fc = one_step_forecast(plan, step, now=now)
    series = states_for_steps(plan, [step], now=now).get(step.pk)
    return step_row(plan, step, now=now, can_act=row_writable(plan, role_may(user, role))(None), fc=fc, series=series)


# --- Gates ---------------------------------------------------------------------------------------------


def gate_for(plan: Plan, slug: str) -> Gate:
    gate = get_object_or_404(
        Gate.objects.select_related("authority_role__primary", "authority_role__backup", "decided_by", "step"),
        plan=plan,
        slug=slug,
    )
    gate.plan = plan
    if gate.authority_role is not None:
        gate.authority_role.plan = plan
    return gate


def gate_poll(plan: Plan, gate: Gate, *, user: Viewer) -> dict[str, Any]:
    """The live part of the gate page: criteria, triggers, votes of the current round, blockers."""
    criteria = list(
        Item.objects.filter(gate=gate)
        .select_related("done_by", "owner_role", "checklist__role")
        .order_by("order", "id")
    )
    triggers = list(NoGoTrigger.objects.filter(gate=gate).select_related("raised_by", "cleared_by"))
    polled = list(gate.polled_roles.select_related("primary", "backup").order_by("order", "name"))
    for role in polled:
        role.plan = plan
    votes = list(Vote.objects.filter(gate=gate, poll_round=gate.poll_round).select_related("voted_by"))
    by_role = {v.role_id: v for v in votes}
    bars = gate_readiness(gate)
    blockers = gate_blockers(
        gate,
        criteria=criteria,
        triggers=triggers,
        polled_roles=polled,
        votes=votes,
        unset=gate_unset(gate),
        readiness=bars,
    )
    ended = plan.has_ended  # an ended launch's gates no longer change (plans.closing): nothing to offer
    ballots = [
        {"role": r, "vote": by_role.get(r.pk), "can_vote": not ended and can_act_for_role(user, r)} for r in polled
    ]
    decisions = list(
        Event.objects.filter(plan=plan, kind__in=["gate.decided", "gate.reopened"], data__gate=gate.pk).select_related(
            "actor"
        )[:20]
    )
    return {
        "gate": gate,
        "criteria": criteria,
        "bars": bars,
        "triggers": triggers,
        "ballots": ballots,
        "blockers": blockers,
        "votes_in": len(votes),
        "decisions": decisions,
        "can_decide": not ended and can_decide(user, gate),
        "can_reopen": not ended and can_coordinate(user, plan),
        "no_go_effect": no_go_effect(plan),
        "my_ballots": sorted((b for b in ballots if b["can_vote"]), key=lambda b: acting_rank(user, b["role"])),
    }


def gate_page(plan: Plan, gate: Gate, *, user: Viewer) -> dict[str, Any]:
    ctx = gate_poll(plan, gate, user=user)
    ctx["can_raise"] = not plan.has_ended and can_raise_triggers(user, plan)
    return ctx


# --- Gate buttons ----------------------------------------------------------------------------------------


def no_go_effect(plan: Plan) -> str:
    """What a NO-GO at a gate of this plan will really do, for its button."""
    if plan.status in {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN}:
        return "holds the launch"
    if plan.status == PlanStatus.HOLD:
        return "the launch stays on hold"
    if plan.status == PlanStatus.DRAFT:
        return "recorded only: a draft plan has no countdown to hold"
    return f"recorded only: the launch is {plan.get_status_display().lower()}"
