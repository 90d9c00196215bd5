"""Reads of recurring items for the role page, the board and the reminders: each series' state at a
moment, in a fixed number of queries (the ticks of every series in one), never one row per occurrence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from plans.lateness import plan_clock

from .models import Occurrence, Recurrence
from .times import SeriesState, grace_of, series_moments, series_state

if TYPE_CHECKING:
    from plans.models import Plan
    from plans.timing import SeriesBand


def ticked_indexes(item_ids: Iterable[int]) -> dict[int, dict[int, datetime]]:
    """Per item, its ticked occurrences: index -> when ticked (one query)."""
    return _ticks("item_id", item_ids)


def step_ticked_indexes(step_ids: Iterable[int]) -> dict[int, dict[int, datetime]]:
    """Per recurring step, its ticked occurrences: index -> when ticked (one query)."""
    return _ticks("step_id", step_ids)


def _ticks(field: str, ids: Iterable[int]) -> dict[int, dict[int, datetime]]:
    out: dict[int, dict[int, datetime]] = {}
    wanted = list(ids)
    if not wanted:
        return out
    rows = Occurrence.objects.filter(**{f"{field}__in": wanted}).values_list(field, "index", "done_at")
    for key, index, done_at in rows:
        out.setdefault(key, {})[index] = done_at
    return out


def rule_key(rule: Recurrence) -> tuple[str, int]:
    """("item", pk) or ("step", pk): what a rule repeats."""
    return ("step", rule.step_id) if rule.step_id is not None else ("item", rule.item_id)  # type: ignore[return-value]


def rules_ticks(rules: Iterable[Recurrence]) -> dict[tuple[str, int], dict[int, datetime]]:
    """Per rule key (:func:`rule_key`), the ticked occurrences of items and steps alike (one query)."""
    from django.db.models import Q

    keys = [rule_key(r) for r in rules]
    items = [pk for kind, pk in keys if kind == "item"]
    steps = [pk for kind, pk in keys if kind == "step"]
    out: dict[tuple[str, int], dict[int, datetime]] = {}
    if not keys:
        return out
    rows = Occurrence.objects.filter(Q(item_id__in=items) | Q(step_id__in=steps)).values_list(
        "item_id", "step_id", "index", "done_at"
    )
    for item_id, step_id, index, done_at in rows:
        key = ("item", item_id) if item_id is not None else ("step", step_id)
        out.setdefault(key, {})[index] = done_at
    return out


def rule_role(rule: Recurrence) -> Any:
    """Whose work a series is: the step's lead role, or the item's owner (else its checklist's) role."""
    if rule.step_id is not None:
        return rule.step.lead_role  # type: ignore[union-attr]
    item = rule.item
    return item.owner_role or item.checklist.role  # type: ignore[union-attr]


def rule_title(rule: Recurrence) -> str:
    return rule.step.name if rule.step_id is not None else rule.item.title  # type: ignore[union-attr]


#: What :func:`rule_role` and :func:`rule_title` read, select_related.
RULE_RELATED = ("item__owner_role", "item__checklist__role", "step__lead_role")


def recurrence_of(item: Any) -> Recurrence | None:
    """An item's recurrence when it was select_related (None: the item does not recur)."""
    try:
        return item.recurrence  # type: ignore[no-any-return]
    except Recurrence.DoesNotExist:
        return None


def states_for_items(plan: Plan, items: Iterable[Any], *, now: datetime) -> dict[int, SeriesState]:
    """The state of each recurring one of ``items`` (their recurrence select_related): one query, none
    when no item recurs."""
    rules = {it.pk: rule for it in items if (rule := recurrence_of(it)) is not None}
    ticks = ticked_indexes(rules)
    now = plan_clock(plan, now) if rules else now  # on hold, the hold's start (plans.lateness)
    return {
        pk: series_state(
            series_moments(plan, rule), ticks.get(pk, {}), now=now, lead=plan.reminder_lead, grace=rule.grace
        )
        for pk, rule in rules.items()
    }


def states_for_steps(plan: Plan, steps: Iterable[Any], *, now: datetime) -> dict[int, SeriesState]:
    """The state of each recurring one of ``steps`` (their recurrence select_related): one query, none
    when no step recurs."""
    rules = {s.pk: rule for s in steps if s.recurring and (rule := recurrence_of(s)) is not None}
    ticks = step_ticked_indexes(rules)
    now = plan_clock(plan, now) if rules else now  # on hold, the hold's start (plans.lateness)
    return {
        pk: series_state(
            series_moments(plan, rule), ticks.get(pk, {}), now=now, lead=plan.reminder_lead, grace=rule.grace
        )
        for pk, rule in rules.items()
    }


@dataclass
class Series:
    """A recurring item or step on the board: its title, owner (or lead) role and state."""

    item_id: int  # the item's pk, or the step's (``kind``)
    title: str
    role_id: int | None
    role_name: str
    state: SeriesState
    kind: str = "item"


def plan_series(plan: Plan, *, now: datetime) -> list[Series]:
    """Every recurring item and step of the plan with its state (two queries; one when nothing recurs)."""
    out = []
    rules = _rules_with_ticks(plan)
    now = plan_clock(plan, now) if rules else now  # on hold, the hold's start (plans.lateness)
    for rule, ticks in rules:
        role = rule_role(rule)
        state = series_state(series_moments(plan, rule), ticks, now=now, lead=plan.reminder_lead, grace=rule.grace)
        kind, pk = rule_key(rule)
        out.append(Series(pk, rule_title(rule), role.pk if role else None, role.name if role else "", state, kind))
    return out


def due_label(delta: timedelta) -> str:
    """How far a moment is, in the page's words ("in 12 min", "40 min ago")."""
    minutes = int(abs(delta.total_seconds()) // 60)
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"in {text}" if delta >= timedelta(0) else f"{text} ago"


def role_series_counts(role_ids: Iterable[int], *, now: datetime) -> dict[int, tuple[int, int, int]]:
    """Per role, (open, done, late) of its recurring items counted as one each by their current occurrence: open
    while an occurrence is due (to tick now), late while that occurrence is past its time, done once the series
    is over; waiting for the next occurrence is none of these (two queries: the rules with their plans, and the
    ticks)."""
    from django.db.models.functions import Coalesce

    rules = (
        Recurrence.objects.filter(item__isnull=False)  # the home card counts items; a recurring step is a step
        .annotate(role_key=Coalesce("item__owner_role_id", "item__checklist__role_id"))
        .filter(role_key__in=list(role_ids))
    )
    out: dict[int, tuple[int, int, int]] = {}
    for rule, state in _item_series_states(rules, now):
        opened, done, late = out.get(rule.role_key, (0, 0, 0))  # type: ignore[attr-defined]
        out[rule.role_key] = (opened + (state.current is not None), done + state.over, late + state.late)  # type: ignore[attr-defined]
    return out


def plan_series_late(plan_ids: Iterable[int], *, now: datetime) -> dict[int, int]:
    """Per plan, how many of its recurring items are late now (their current occurrence past its time), as the
    board counts them (two queries)."""
    out: dict[int, int] = {}
    for rule, state in _item_series_states(Recurrence.objects.filter(item__isnull=False, plan_id__in=plan_ids), now):
        out[rule.plan_id] = out.get(rule.plan_id, 0) + state.late
    return out


def _item_series_states(rules: Any, now: datetime) -> list[tuple[Recurrence, SeriesState]]:
    rows = list(rules.select_related("plan"))
    ticks = ticked_indexes(r.item_id for r in rows if r.item_id is not None)
    clocks: dict[int, datetime] = {}  # each plan's clock (on hold, the hold's start: a query per plan on hold)
    for rule in rows:
        if rule.plan_id not in clocks:
            clocks[rule.plan_id] = plan_clock(rule.plan, now)
    return [
        (
            rule,
            series_state(
                series_moments(rule.plan, rule),
                ticks.get(rule.item_id or 0, {}),
                now=clocks[rule.plan_id],
                lead=rule.plan.reminder_lead,
                grace=rule.grace,
            ),
        )
        for rule in rows
    ]


def series_source(plan: Any) -> list[SeriesBand]:
    """The plan's recurring items and steps for the timeline (plans.timing.register_series_source): two
    queries."""
    from plans.timing import SeriesBand

    out = []
    for series in _rules_with_ticks(plan):
        rule, ticks = series
        role = rule_role(rule)
        dues = series_moments(plan, rule)
        out.append(
            SeriesBand(
                name=rule_title(rule),
                role_slug=role.slug if role else "",
                role_name=role.name if role else "",
                dues=tuple(dues),
                done=frozenset(ticks),
                missed_from=tuple(d + grace_of(dues, i, rule.grace) for i, d in enumerate(dues)),
            )
        )
    return out


def _rules_with_ticks(plan: Any) -> list[tuple[Recurrence, dict[int, datetime]]]:
    rows = list(
        Recurrence.objects.filter(plan=plan)
        .select_related(*RULE_RELATED)
        .order_by("step__offset", "step__order", "item__order", "item_id")
    )
    ticks = rules_ticks(rows)
    return [(rule, ticks.get(rule_key(rule), {})) for rule in rows]
