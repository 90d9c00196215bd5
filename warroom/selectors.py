"""What the war-room board shows, read in a fixed number of queries whatever the plan's size.

Everything is computed for one moment ``now``; the view renders it once per (revision, minute) and
the browser ticks the seconds (clock, SLA timers, hold length) from the data attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from checklists.models import Gate, Item, ItemStatus, NoGoTrigger, Vote
from issues.models import UNRESOLVED, Issue
from issues.selectors import escalation_levels, issue_rows, open_issues
from plans.closing import is_ended, launched_before_t0
from plans.forecast import Forecast
from plans.lateness import late_q
from plans.models import (
    Event,
    Hold,
    Phase,
    Plan,
    StepStatus,
)
from plans.rollout.selectors import MOVING_STATES, RolloutState, rollout_from, rollout_stages
from plans.runbook.selectors import plan_links, procedures
from plans.schedule import StepRow, step_rows
from plans.selectors import open_hold, state_since
from plans.wallclock import after_q, before_q

from . import gates as gate_order
from . import steps as step_lines
from .clockless import open_entries
from .comms import Comms, comms, message_times
from .oncall import on_call_rows, series_entries, series_of
from .readings import STALE_AFTER, metrics
from .roles import RoleRow, due_counts, item_stats, role_rows

__all__ = [
    "Board",
    "Comms",
    "Entry",
    "RoleRow",
    "comms",
    "message_times",
    "board",
    "next_deadlines",
    "next_entries",
    "role_rows",
]

if TYPE_CHECKING:
    pass

WINDOW = timedelta(minutes=30)
NEXT_ROWS = 11
ROLE_ROWS = 14
ISSUE_ROWS = 8
GATES_BESIDE_ISSUES = 1  # open issues the third column has room for with the gates (Board.gates_beside_issues)
EVENT_ROWS = 7


@dataclass
class Entry:
    """A line of "next 30 minutes": a step or a checklist item."""

    kind: str  # "step" | "item"
    title: str
    role: str
    at: datetime | None  # None in a clockless plan
    offset: timedelta | None
    late: bool
    state: str = ""
    label: str = ""  # a clockless plan's due date, short (warroom.clockless)


@dataclass
class Board:
    plan: Plan
    now: datetime
    hold: Hold | None
    phase: Phase | None
    next_phase: Phase | None
    entries: list[Entry]
    late_total: int
    entries_more: int
    gates: list[Gate]
    roles: list[RoleRow]
    roles_more: int
    roles_more_unassigned: int
    items_total: int  # checklist items, and those done or skipped: as the home page and the plan page count them
    items_done: int
    issues: list[Any]
    issues_more: int
    issue_counts: dict[str, int]
    comms: Comms
    metrics: list[dict[str, Any]]
    alarms: list[Any]
    events: list[Event]
    links: list[Any] = field(default_factory=list)  # filled link placeholders (bridge, status page, runbook)
    procedures: list[Any] = field(default_factory=list)  # the procedure the launch's state has called
    unowned: RoleRow | None = None  # the work no role owns (the coordinator's), in the totals
    on_call: list[Any] = field(default_factory=list)  # who is on call now, per role with a rota (warroom.oncall)
    forecast: Forecast | None = None
    rollout: RolloutState | None = None  # the staged rollout, where it stands (plans.rollout)
    step_rows: list[StepRow] = field(default_factory=list)  # the plan's steps, read once for every panel
    steps_total: int = 0  # the plan's steps (not the recurring ones), and those done or skipped: as the plan page
    steps_done: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: An ended launch (closed, aborted, rolled back: plans.closing): when it ended. Its clock has stopped and
    #: nothing on the board is due, late or counting any more.
    ended: bool = False
    ended_at: datetime | None = None
    #: A launch before its T-0 (launched early, T-0 not moved): when it launched, where its clock counts from.
    launched_at: datetime | None = None

    @property
    def shown_metrics(self) -> list[dict[str, Any]]:
        """The success metrics panel's rows: five (the rollout panel sits above the issues, in the right
        column, so the middle column keeps its room)."""
        return self.metrics[:5]

    @property
    def gate_rows(self) -> list[Gate]:
        """The gates panel's rows: NO-GO, polling, pending by time, passed (warroom.gates)."""
        return gate_order.by_relevance(self.gates)

    @property
    def gates_beside_issues(self) -> bool:
        """The gates panel sits in the third column, under the issues, while that column has room: the launch
        running with at most one issue open, or none and a rollout panel (its three lines take about an issue's
        room; a launched plan with a rollout and no issue had that column empty and its gates squeezed under the
        forecast). Otherwise in the first, under "Next 30 min" and the forecast, where a big plan's gates had room
        for one row, or none, at 1080p."""
        taken = len(self.issues) + (self.rollout is not None)
        return not self.ended and taken <= GATES_BESIDE_ISSUES

    @property
    def gates_passed(self) -> int:
        return gate_order.passed(self.gates)

    @property
    def roles_complete(self) -> list[str]:
        """The shown roles with everything done, named together on one line."""
        return [r.name for r in self.roles if r.complete]

    @property
    def t_offset(self) -> timedelta:
        """Where the clock stands: frozen at the hold's start during a hold."""
        moment = self.hold.started_at if self.hold else self.now
        return moment - (self.clock_origin or self.plan.t0)

    @property
    def clock_origin(self) -> datetime | None:
        """What the clock counts from: T-0, the launch when it came before T-0, nothing once ended."""
        if self.ended:
            return None
        return self.launched_at or self.plan.t0


def current_phase(
    plan: Plan, phases: list[Phase], now: datetime, steps: Sequence[StepRow] = ()
) -> tuple[Phase | None, Phase | None]:
    """The phase under way and the next one: that of the work running (the last phase with a running step),
    else the one whose time it is at ``now`` (phase offsets placed by ``Plan.at``). After T-0 moved on by two
    days, the clock alone named Phase 1 while Phase 2's steps were done and its Soft Launch was running."""
    running = {s.phase_id for s in steps if s.status == StepStatus.IN_PROGRESS and s.phase_id}
    at_work = [i for i, phase in enumerate(phases) if phase.pk in running]
    if at_work:
        i = at_work[-1]
        return phases[i], phases[i + 1] if i + 1 < len(phases) else None
    current = None
    upcoming = None
    for phase in phases:
        start = plan.at(phase.start_offset)
        if start <= now and (phase.end_offset is None or now < plan.at(phase.end_offset)):
            current = phase
        elif start > now and upcoming is None:
            upcoming = phase
    return current, upcoming


def next_entries(
    plan: Plan, now: datetime, steps: list[StepRow] | None = None, counts: dict[str, int] | None = None
) -> tuple[list[Entry], int, int]:
    """Open steps and items due within 30 minutes or already late, late ones first (oldest first).
    Returns the candidate rows (at most ``NEXT_ROWS`` late and ``NEXT_ROWS`` upcoming items, and the
    open steps), how many are late in all and how many lines there are in all. Two queries, and one each
    for the items' totals and the steps unless they are given (``warroom.roles.due_counts``,
    ``plans.schedule.step_rows``)."""
    overdue = late_q(plan, now)  # plans.lateness: due before now, by the plan's wall clock
    horizon = before_q(plan, "due_offset", now + WINDOW, inclusive=True)
    open_items = Item.objects.filter(plan=plan, status=ItemStatus.OPEN)
    if counts is None:
        counts = due_counts(item_stats(plan, now))
    fields = ("title", "due_offset", "owner_role__name", "checklist__role__name")
    late_items = open_items.filter(overdue).order_by("due_offset", "id").values_list(*fields)
    next_items = (
        open_items.filter(horizon & after_q(plan, "due_offset", now, inclusive=True))
        .order_by("due_offset", "id")
        .values_list(*fields)
    )
    open_steps = step_lines.open_steps(plan, step_rows(plan) if steps is None else steps, now + WINDOW)
    entries: list[Entry] = []
    late_steps = 0
    for step in open_steps:
        late = step_lines.row_is_late(plan, step, now)
        state = "in_progress" if step.status == StepStatus.IN_PROGRESS else "late" if late else "pending"
        late_steps += late
        entries.append(
            Entry("step", step.name, step.lead_role_name or "", plan.at(step.offset), step.offset, late, state)
        )
    for rows, late in ((late_items[:NEXT_ROWS], True), (next_items[:NEXT_ROWS], False)):
        for title, due, owner, checklist_role in rows:
            entries.append(Entry("item", title, owner or checklist_role or "", plan.at(due), due, late))
    entries.sort(key=lambda e: (not e.late, e.offset or timedelta(0)))
    return entries, counts["late"] + late_steps, counts["total"] + len(open_steps)


def pick_entries(entries: list[Entry], rows: int = NEXT_ROWS, late_rows: int = 4) -> list[Entry]:
    """Late ones first, but keep room for what is coming up: at most ``late_rows`` late lines while
    there are upcoming ones to show."""
    late = [e for e in entries if e.late]
    upcoming = [e for e in entries if not e.late]
    n_late = min(len(late), max(late_rows, rows - len(upcoming)))
    return late[:n_late] + upcoming[: rows - n_late]


class _CountOf(Subquery):
    """How many rows a correlated queryset has: ``(SELECT count(*) FROM (...))``, never NULL."""

    template = "(SELECT count(*) FROM (%(subquery)s) _rows)"
    output_field = IntegerField()


def gates(plan: Plan) -> list[Gate]:
    """The plan's gates with their counts for the board: required criteria (and how many are closed), raised
    triggers, polled roles and this round's votes (all, GO, NO-GO). Each count is a subquery of its own:
    counted over one join of all four, a gate's rows multiplied (six criteria, six polled roles and a round of
    votes were 1,080 rows for the demo's one gate)."""
    gate = OuterRef("pk")
    criteria = Item.objects.filter(gate=gate, required=True).values("pk")
    this_round = Vote.objects.filter(gate=gate, poll_round=OuterRef("poll_round"))
    return list(
        Gate.objects.filter(plan=plan)
        .select_related("authority_role")
        .annotate(
            criteria_total=_CountOf(criteria),
            criteria_done=_CountOf(criteria.exclude(status=ItemStatus.OPEN)),
            triggers_raised=_CountOf(
                NoGoTrigger.objects.filter(gate=gate, raised=True, cleared_at__isnull=True).values("pk")
            ),
            polled=_CountOf(Gate.polled_roles.through.objects.filter(gate=gate).values("pk")),
            voted=_CountOf(this_round.values("pk")),
            go_votes=_CountOf(this_round.filter(vote="go").values("pk")),
            no_go_votes=_CountOf(this_round.filter(vote="no_go").values("pk")),
        )
        .order_by("order", "offset")
    )


def _news(plan: Plan) -> QuerySet[Event]:
    """The activity the board's "Latest" line reads: not a reading on target or merely tracked (a metric fed every
    few seconds by monitoring made every "Latest" a reading; the metrics panel shows them), an off-target one is."""
    return Event.objects.filter(plan=plan, news=True).select_related("actor", "role")  # Event.news, its own index


def board(plan: Plan, *, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    hold = open_hold(plan)
    ended, early = is_ended(plan.status), launched_before_t0(plan.status, plan.t0, now)
    steps, stats = step_rows(plan), item_stats(plan, now)
    # Ended, or launched before T-0: no phase of the plan is under way (the state says where the launch stands).
    no_phase = (None, None)
    phase, next_phase = no_phase if ended or early else current_phase(plan, list(plan.phases.all()), now, steps)
    unowned = RoleRow(0, "No owner role", 0, "", "")
    roles = role_rows(plan, now, unowned, steps, stats)
    series = series_of(plan, now, roles, unowned)  # recurring items, counted into their roles' rows
    if ended:  # nothing is due or late any more: nothing to read for "Next 30 min"
        shown_entries, late_total, lines_total = [], 0, 0
        for row in roles:
            row.late = 0
    else:
        if plan.clockless:
            entries, late_total, lines_total = open_entries(plan, now)
        else:
            entries, late_total, lines_total = next_entries(plan, now, steps, due_counts(stats))
        more, late_series = series_entries(series, plan, now, Entry)
        entries = sorted([*entries, *more], key=lambda e: (not e.late, e.offset or timedelta(0)))
        late_total, lines_total = late_total + late_series, lines_total + len(more)
        shown_entries = pick_entries(entries)
    on_call = on_call_rows(plan, now, roles)
    roles.sort(key=lambda r: r.attention)
    shown, hidden = roles[:ROLE_ROWS], roles[ROLE_ROWS:]
    issues = list(open_issues(plan).select_related(None).select_related("owner_role")[:ISSUE_ROWS])
    rows = issue_rows(issues, escalation_levels(plan), now=now)
    counts = dict.fromkeys(("critical", "high", "medium", "low"), 0)
    unresolved = Issue.objects.filter(plan=plan, status__in=UNRESOLVED)
    for severity, n in unresolved.values_list("severity").annotate(n=Count("id")).order_by():
        counts[severity] = n
    metric_rows, states = metrics(plan, now)
    gate_list = [g.mark_overdue(plan, now) for g in gates(plan)]
    latest = {row["metric"].pk: (row["metric"], row["latest"]) for row in metric_rows}
    rollout = rollout_from(plan, rollout_stages(plan), now=now, metrics=latest, states=states)  # one query
    if rollout is not None and rollout.stage is None and plan.status not in MOVING_STATES:
        rollout = None  # not started, and it cannot start yet: no panel taking the issues' room on the big screen
    return Board(
        plan=plan,
        now=now,
        hold=hold,
        phase=phase,
        next_phase=next_phase,
        entries=shown_entries,
        late_total=late_total,
        entries_more=max(0, lines_total - len(shown_entries)),
        gates=gate_list,
        roles=shown,
        roles_more=len(hidden),
        roles_more_unassigned=sum(r.unassigned for r in hidden),
        items_total=sum(r.total for r in roles) + unowned.total,
        items_done=sum(r.done for r in roles) + unowned.done,
        unowned=unowned,
        on_call=on_call,
        forecast=None if ended else step_lines.board_forecast(plan, now, steps, gate_list),  # nothing ahead
        step_rows=steps,
        steps_total=len(steps),
        steps_done=sum(s.status in step_lines.FINISHED for s in steps),
        issues=rows,
        issues_more=max(0, sum(counts.values()) - len(rows)),
        issue_counts=counts,
        comms=comms(plan, now),
        metrics=metric_rows,
        alarms=states,
        rollout=rollout,
        events=list(_news(plan)[:EVENT_ROWS]),
        links=plan_links(plan),
        procedures=procedures(plan, called_only=True, now=now),
        ended=ended,
        ended_at=state_since(plan) if ended and not plan.clockless else None,
        launched_at=state_since(plan, "launched") if early and not plan.clockless else None,
    )


def next_deadlines(plan: Plan, now: datetime, until: datetime, board: Board | None = None) -> list[datetime]:
    """The moments in ``(now, until]`` at which the board changes with no event: an item or step becoming
    late or entering the next-30-minutes list, a breaching rollback trigger becoming an alarm, a metric's
    latest reading turning stale. The poll's
    cache bucket turns over at each (warroom.views), so a change reaches the screens within one poll
    interval, not at the next minute. One query after a render (``board``: its steps and trigger states,
    read at its ``now``), five without."""
    moments: list[datetime] = []
    if is_ended(plan.status):
        return moments  # an ended launch's board changes only with an event
    open_items = Item.objects.filter(plan=plan, status=ItemStatus.OPEN)
    window = (
        after_q(plan, "due_offset", now, inclusive=True) & before_q(plan, "due_offset", until, inclusive=True)
    ) | (
        after_q(plan, "due_offset", now + WINDOW, inclusive=True)
        & before_q(plan, "due_offset", until + WINDOW, inclusive=True)
    )
    for (due,) in open_items.filter(window).order_by("due_offset").values_list("due_offset")[:500]:
        if due is not None:
            moments += [plan.at(due), plan.at(due) - WINDOW]
    moments += step_lines.step_deadlines(plan, board.step_rows if board else step_rows(plan), WINDOW)
    rows, states = (board.metrics, board.alarms) if board else metrics(plan, now)
    moments += [s.alarm_at for s in states if s.breaching and not s.in_breach and s.alarm_at is not None]
    # a latest reading turning stale: the board then says when it was taken (readings.STALE_AFTER)
    moments += [r["latest"].recorded_at + STALE_AFTER for r in rows if r["latest"] is not None]
    if board is not None and board.rollout is not None and board.rollout.soak_ends_at is not None:
        moments.append(board.rollout.soak_ends_at)  # the stage has soaked: READY shows within a poll
    return sorted({m for m in moments if now < m <= until})
