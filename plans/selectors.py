"""Reads for pages. Each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from roles.models import Role
from roles.people import deactivated_holders

from .event_links import link_events
from .forecast import GateForecast, StepForecast
from .lateness import plan_clock, step_is_late, step_is_late_between
from .models import Event, Hold, Phase, Plan, Step, StepStatus
from .offsets import offset_moment
from .panels import overview_parts
from .permissions import can_view
from .schedule import plan_forecast
from .slips import prime_slips
from .timeline_bands import timeline_bands
from .timing import count_dated
from .validators import parse_datetime_input
from .wallclock import after_q

if TYPE_CHECKING:
    from .permissions import Viewer


class DatesOutOfRange(Exception):
    """The plan's T-0 lies outside 2000-2100 (saved before that bound existed): its times cannot be
    computed, so a page shows why and where to fix it (plans.middleware) instead of a 500."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(f"T-0 of {plan.slug} is out of range")
        self.plan = plan


def plan_for(user: Viewer | None, slug: str, *, allow_out_of_range: bool = False) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("coordinator"), slug=slug)
    if not can_view(user, plan):
        raise Http404("No such plan.")
    if not allow_out_of_range and not plan.dates_in_range:
        raise DatesOutOfRange(plan)
    return plan


def plans_for(user: Viewer) -> QuerySet[Plan]:
    """Every plan a signed-in person may see (everyone signed in sees every plan), theirs first: the
    plans they coordinate or hold a role in (primary or backup), then the others; newest T-0 first
    within each (1 query)."""
    holds_role = Exists(Role.objects.filter(plan=OuterRef("pk")).filter(Q(primary=user.pk) | Q(backup=user.pk)))
    return (
        Plan.objects.select_related("coordinator")
        # Case, not a bare boolean: a plan with no coordinator compares as NULL, which would sort apart.
        .annotate(theirs=Case(When(Q(coordinator=user.pk) | Q(holds_role), then=1), default=0))
        .order_by("-theirs", "-t0")
    )


def my_roles(user: Viewer) -> QuerySet[Role]:
    """The roles a person holds (primary or backup) across plans, soonest plan first."""
    return (
        Role.objects.filter(Q(primary=user) | Q(backup=user))
        .select_related("plan", "primary", "backup")
        .order_by("plan__t0", "order")
    )


# --- Plan detail ---------------------------------------------------------------------------------------


def plan_overview(plan: Plan) -> dict:
    """Roles, holds and the next steps of a plan, plus what the apps above add through
    :mod:`plans.panels` (checklists adds its gates): 5 queries."""
    roles = list(Role.objects.filter(plan=plan).select_related("primary", "backup"))
    return {"roles": roles, "deactivated": deactivated_holders(roles), **plan_moving(plan)}


def plan_moving(plan: Plan) -> dict:
    """What moves on the plan page during a launch (its live parts, plans.views.plan_detail_live): the
    holds, the next open steps, how many steps are done, and the apps' parts (the gates): 4 queries."""
    holds = list(Hold.objects.filter(plan=plan).select_related("started_by", "ended_by").order_by("-started_at"))
    prime_slips(plan, holds)  # the page's offsets read as planned (plans.slips) with no query of their own
    next_steps = list(
        Step.objects.filter(plan=plan, recurring=False, status__in=[StepStatus.PENDING, StepStatus.IN_PROGRESS])
        .select_related("lead_role")
        .order_by("offset", "order")[:8]
    )
    now = timezone.now()
    for step in next_steps:
        step.plan = plan
        # late as everywhere (plans.lateness): a pending step past its start, a running one past its finish
        step.late = step_is_late(  # type: ignore[attr-defined]
            plan=plan, offset=step.offset, duration=step.duration, status=step.status, now=now
        )
    parts = {key: part(plan) for key, part in overview_parts()}
    once = Q(recurring=False)
    counts = Step.objects.filter(plan=plan).aggregate(
        every=Count("id"),
        total=Count("id", filter=once),
        done=Count("id", filter=once & Q(status__in=[StepStatus.DONE, StepStatus.SKIPPED])),
    )
    progress = {"done": counts["done"], "total": counts["total"]}
    progress["pct"] = round(100 * progress["done"] / progress["total"]) if progress["total"] else 0
    return {"holds": holds, "next_steps": next_steps, "has_steps": counts["every"] > 0, "progress": progress, **parts}


def parse_local_datetime(plan: Plan, text: str) -> datetime:
    """A ``datetime-local`` value (``2026-12-01T14:30``) read in the plan's zone, or an ISO value with
    a real UTC offset, between 2000-01-01 and 2100-01-01. Returns an aware datetime or raises
    ValidationError (a :class:`plans.validators.BoundsError`) with a message for the form."""
    return parse_datetime_input(text, plan.zone, field="T-0", t0=True)


def rebaseline_preview(plan: Plan, new_t0: datetime, *, now: datetime | None = None, limit: int = 12) -> dict:
    """What a re-baseline would move: the delta, how many rows, and the next steps (running, or not started
    and planned from ``now`` on) old vs new (4 queries). A running step moves too: it was left out."""
    delta = new_t0 - plan.t0
    pending = Step.objects.filter(plan=plan, recurring=False, status__in=[StepStatus.PENDING, StepStatus.IN_PROGRESS])
    if now is not None:
        pending = pending.filter(Q(status=StepStatus.IN_PROGRESS) | after_q(plan, "offset", now, inclusive=True))
    steps = list(pending.select_related("lead_role").order_by("offset", "order")[:limit])
    moves = [{"step": s, "old": plan.at(s.offset), "new": offset_moment(new_t0, plan.zone, s.offset)} for s in steps]
    return {
        "new_t0": new_t0,
        "delta": delta,
        "moves": moves,
        "step_count": Step.objects.filter(plan=plan).count(),
        # Every dated row of the apps above (items, gates, messages): they register their offset
        # fields in plans.timing, so plans counts them without importing them.
        "dated_count": count_dated(plan.pk, exclude=(Step, Phase)),
    }


# --- Activity log --------------------------------------------------------------------------------------


def event_kinds(plan: Plan) -> list[str]:
    """The kinds of event the plan has logged, in order: each found by the index on (plan, kind) from the one
    before (a "loose index scan"). DISTINCT read every event: a second on a plan with 200,000 readings logged,
    at every fetch of the activity log's live part."""
    table = connection.ops.quote_name(Event._meta.db_table)
    sql = f"""
        WITH RECURSIVE kinds(kind) AS (
            SELECT MIN(kind) FROM {table} WHERE plan_id = %s
            UNION ALL
            SELECT (SELECT MIN(e.kind) FROM {table} e WHERE e.plan_id = %s AND e.kind > kinds.kind)
            FROM kinds WHERE kinds.kind IS NOT NULL
        )
        SELECT kind FROM kinds WHERE kind IS NOT NULL"""  # noqa: S608 (the table's own name; the plan is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, plan.pk])
        return [kind for (kind,) in cursor.fetchall()]


#: The activity log's filter for everything but the metric readings that are no news.
NEWS_ONLY = "news"


def activity(plan: Plan, *, role: str = "", kind: str = "", page: int | str = 1, per_page: int = 50) -> dict:
    """Events newest first, filtered by role slug and kind family (``item``) or exact kind (``item.ticked``), or
    :data:`NEWS_ONLY`: every event but the readings on target or tracked (``Event.news``; a monitoring push's
    readings every few seconds bury the ticks, holds and decisions)."""
    events = Event.objects.filter(plan=plan).select_related("actor", "role")
    if role:
        events = events.filter(role__slug=role)
    if kind == NEWS_ONLY:
        events = events.filter(news=True)
    elif kind:
        events = events.filter(kind=kind) if "." in kind else events.filter(kind__startswith=f"{kind}.")
    page_obj = Paginator(events, per_page).get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    link_events(plan, page_obj.object_list)  # "#2" opens issue #2 (plans.event_links)
    kinds = event_kinds(plan)
    families = sorted({k.split(".")[0] for k in kinds})
    roles = list(Role.objects.filter(plan=plan).only("id", "name", "slug", "order"))
    return {"page_obj": page_obj, "kinds": kinds, "families": families, "roles": roles, "role": role, "kind": kind}


# --- Timeline ------------------------------------------------------------------------------------------

_H = 3600
_D = 86400
# A piecewise-linear axis from T-7d to T+7d: the week around the launch is compressed, launch day
# (T-6h to T+12h) gets more than half of the width so quarter-hour steps stay readable.
AXIS: list[tuple[int, float]] = [
    (-7 * _D, 0.0),
    (-1 * _D, 14.0),
    (-6 * _H, 24.0),
    (12 * _H, 80.0),
    (1 * _D, 86.0),
    (7 * _D, 100.0),
]


def axis_pct(seconds: float) -> float:
    """Where an offset (seconds from T-0) sits on the axis, in percent, clamped to [0, 100]."""
    if seconds <= AXIS[0][0]:
        return 0.0
    for (s0, p0), (s1, p1) in zip(AXIS, AXIS[1:], strict=False):
        if seconds <= s1:
            return round(p0 + (p1 - p0) * (seconds - s0) / (s1 - s0), 3)
    return 100.0


def axis_ticks() -> list[dict]:
    """Axis labels: every other day in the compressed weeks, every two hours on launch day."""
    ticks = [{"pct": axis_pct(0), "label": "T-0", "major": True, "edge": ""}]
    for d in (-7, -5, -3, -1, 1, 3, 5, 7):
        pct = axis_pct(d * _D)
        edge = "start" if pct == 0 else "end" if pct == 100 else ""
        ticks.append({"pct": pct, "label": f"{d:+d}d", "major": True, "edge": edge})
    for h in range(-6, 13, 2):
        if h:
            ticks.append({"pct": axis_pct(h * _H), "label": f"{h:+d}h", "major": False, "edge": ""})
    return sorted(ticks, key=lambda t: t["pct"])


def critical_path(durations: dict[int, float], deps: dict[int, list[int]]) -> list[int]:
    """The longest chain of dependent steps by total duration (ids from first to last), or ``[]`` when
    no step depends on another. Iterative (Kahn's order), so a long chain cannot blow the stack; steps
    caught in a cycle, which the importer refuses, are left out."""
    deps = {n: [d for d in deps.get(n, []) if d in durations] for n in durations}
    dependents: dict[int, list[int]] = {n: [] for n in durations}
    waiting = {n: len(ds) for n, ds in deps.items()}
    for node, ds in deps.items():
        for dep in ds:
            dependents[dep].append(node)
    best: dict[int, tuple[float, int | None]] = {}
    queue = deque(sorted(n for n, w in waiting.items() if w == 0))
    while queue:
        node = queue.popleft()
        prev = max(deps[node], key=lambda d: (best[d][0], -d), default=None)
        best[node] = (durations[node] + (best[prev][0] if prev is not None else 0.0), prev)
        for nxt in dependents[node]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                queue.append(nxt)
    chained = [n for n, (_, prev) in best.items() if prev is not None]
    if not chained:
        return []
    chain: list[int] = []
    cursor: int | None = max(chained, key=lambda n: (best[n][0], -n))
    while cursor is not None:
        chain.append(cursor)
        cursor = best[cursor][1]
    chain.reverse()
    return chain


def _bar(start_s: float, end_s: float) -> dict:
    left = axis_pct(start_s)
    width = max(axis_pct(end_s) - left, 0.5)
    return {"left": left, "width": round(min(width, 100 - left), 3)}


def _timeline_row(
    s: Step, f: StepForecast, *, t0: datetime, now: datetime, clock: datetime, critical: bool, ended: datetime | None
) -> dict:
    """One step on the axis: its planned, forecast (unless finished) and actual bars, and whether it is late (by
    the plan's ``clock``: on hold, the hold's start). Once the launch has ended (``ended``: when), nothing is late
    or forecast, and what ran stops there."""
    actual = None
    if s.actual_start:
        until = s.actual_finish or ended or now
        actual = _bar((s.actual_start - t0).total_seconds(), (until - t0).total_seconds())
    late = ended is None and step_is_late_between(  # plans.lateness: the one meaning of late
        start=f.planned_start,
        finish=f.planned_end,
        status=s.status,
        now=clock,
        actual_finish=s.actual_finish,
    )
    forecast = None if f.finished or ended else _bar((f.start - t0).total_seconds(), (f.end - t0).total_seconds())
    return {
        "step": s,
        "planned": _bar((f.planned_start - t0).total_seconds(), (f.planned_end - t0).total_seconds()),
        "actual": actual,
        "forecast": forecast,
        "fc": f,
        "late": late,
        "critical": critical,
    }


def _gate_mark(g: GateForecast, t0: datetime, ended: datetime | None) -> dict:
    """A gate's line on the axis: where it is forecast (an ended launch forecasts nothing: where it was
    planned), and where it was planned when that differs."""
    at = g.planned if ended else g.forecast
    return {
        "name": g.gate.name,
        "passed": g.gate.passed_at is not None,
        "planned_pct": axis_pct((g.planned - t0).total_seconds()) if g.planned else None,
        "forecast_pct": axis_pct((at - t0).total_seconds()) if at else None,
        "forecast": None if ended else g.forecast,
    }


def timeline(plan: Plan, *, now: datetime, role: str = "") -> dict:
    """Phases and steps from T-7d to T+7d as positioned bars: planned vs actual, late marks, the critical
    path and the "now" line (the forecast and the gates, and the gates each phase waits for; 9 queries,
    whatever the plan's size, one more once the launch has ended: when), then what repeats and who is on call
    as bands (plans.timeline_bands: 2 more, 3 when the plan has recurring work). An ended launch has nothing
    late or forecast any more (``plans.closing``)."""
    # a recurring step is drawn as a band with what repeats (checklists.series), never as a bar in a chain
    steps = list(
        Step.objects.filter(plan=plan, recurring=False).select_related("lead_role").order_by("offset", "order")
    )
    edges = Step.depends_on.through.objects.filter(from_step__plan=plan).values_list("from_step_id", "to_step_id")
    deps: dict[int, list[int]] = {}
    for src, dst in edges:
        deps.setdefault(src, []).append(dst)
    chain = critical_path({s.pk: s.length.total_seconds() for s in steps}, deps)
    critical = set(chain)
    phases = list(Phase.objects.filter(plan=plan).prefetch_related("after_gates"))  # the gates a phase waits for
    roles = list(Role.objects.filter(plan=plan).only("id", "name", "slug", "order"))

    t0 = plan.t0
    ended = (state_since(plan) or now) if plan.has_ended else None
    fc = plan_forecast(plan, now=now, steps=steps)
    rows_by_phase: dict[int | None, list[dict]] = {}
    late_count, clock = 0, plan_clock(plan, now)
    for s in steps:
        if role and (s.lead_role is None or s.lead_role.slug != role):
            continue
        row = _timeline_row(s, fc.steps[s.pk], t0=t0, now=now, clock=clock, critical=s.pk in critical, ended=ended)
        late_count += row["late"]
        rows_by_phase.setdefault(s.phase_id, []).append(row)
    groups = []
    for ph in phases:
        start = axis_pct(ph.start_offset.total_seconds())
        end = axis_pct(ph.end_offset.total_seconds()) if ph.end_offset is not None else start
        groups.append(
            {"phase": ph, "band": {"left": start, "width": max(end - start, 0)}, "rows": rows_by_phase.get(ph.pk, [])}
        )
    if rows_by_phase.get(None):
        groups.append({"phase": None, "band": None, "rows": rows_by_phase[None]})
    now_s = (now - t0).total_seconds()
    by_id = {s.pk: s for s in steps}
    return {
        "groups": [g for g in groups if g["rows"] or not role],
        "ticks": axis_ticks(),
        "now_pct": axis_pct(now_s) if -7 * _D <= now_s <= 7 * _D else None,
        "t0_pct": axis_pct(0),
        "band": {"left": axis_pct(-6 * _H), "width": axis_pct(12 * _H) - axis_pct(-6 * _H)},
        "critical_steps": [by_id[pk] for pk in chain],
        "forecast": fc,
        "ended_at": ended,
        "window_pct": axis_pct((fc.window_end - t0).total_seconds()) if fc.window_end else None,
        "gate_marks": [_gate_mark(g, t0, ended) for g in fc.gates.values()],
        "late_count": late_count,
        "roles": roles,
        "role": role,
        "step_count": len(steps),
        "repeats": timeline_bands(plan, now=now, role=role, roles=roles, pct=axis_pct),
    }


def open_hold(plan: Plan) -> Hold | None:
    """The hold the launch is in now, if any (a query only while the plan is on hold, once per plan instance:
    ``Plan.open_hold``)."""
    return plan.open_hold()


def state_entered(plan: Plan) -> Event | None:
    """The ``plan.state`` event by which the launch entered its state (who, when, why), with its actor: one
    query; the plan page asks it of an ended launch, to say who ended it and why."""
    return (
        Event.objects.filter(plan=plan, kind="plan.state", data__to=plan.status)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def state_since(plan: Plan, status: str | None = None) -> datetime | None:
    """When the launch last entered ``status`` (its own state by default): the ``plan.state`` event's
    moment. One query; the board and the plan page ask it only of an ended launch, or one launched before
    its T-0 (``plans.closing``)."""
    return (
        Event.objects.filter(plan=plan, kind="plan.state", data__to=status or plan.status)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
