"""Reads of recurring items for the role page, the board and the reminders: each series' state at a
moment, in a fixed number of queries (the ticks of every series in one), never one row per occurrence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .models import Occurrence, Recurrence
from .times import SeriesState, grace_of, series_moments, series_state

if TYPE_CHECKING:
    from plans.models import Plan
    from plans.timing import SeriesBand


def ticked_indexes(item_ids: Iterable[int]) -> dict[int, dict[int, datetime]]:
    """Per item, its ticked occurrences: index -> when ticked (one query)."""
    out: dict[int, dict[int, datetime]] = {}
    ids = list(item_ids)
    if not ids:
        return out
    rows = Occurrence.objects.filter(item_id__in=ids).values_list("item_id", "index", "done_at")
    for item_id, index, done_at in rows:
        out.setdefault(item_id, {})[index] = done_at
    return out


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
    return {
        pk: series_state(
            series_moments(plan, rule), ticks.get(pk, {}), now=now, lead=plan.reminder_lead, grace=rule.grace
        )
        for pk, rule in rules.items()
    }


@dataclass
class Series:
    """A recurring item on the board: its title, owner role and state."""

    item_id: int
    title: str
    role_id: int | None
    role_name: str
    state: SeriesState


def plan_series(plan: Plan, *, now: datetime) -> list[Series]:
    """Every recurring item of the plan with its state (two queries; one when nothing recurs)."""
    rows = list(
        Recurrence.objects.filter(plan=plan)
        .select_related("item__owner_role", "item__checklist__role")
        .order_by("item__order", "item_id")
    )
    ticks = ticked_indexes(r.item_id for r in rows)
    out = []
    for rule in rows:
        role = rule.item.owner_role or rule.item.checklist.role
        state = series_state(
            series_moments(plan, rule),
            ticks.get(rule.item_id, {}),
            now=now,
            lead=plan.reminder_lead,
            grace=rule.grace,
        )
        out.append(Series(rule.item_id, rule.item.title, role.pk if role else None, role.name if role else "", state))
    return out


def due_label(delta: timedelta) -> str:
    """How far a moment is, in the page's words ("in 12 min", "40 min ago")."""
    minutes = int(abs(delta.total_seconds()) // 60)
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"in {text}" if delta >= timedelta(0) else f"{text} ago"


def role_series_counts(role_ids: Iterable[int], *, now: datetime) -> dict[int, tuple[int, int]]:
    """Per role, (open, done) of its recurring items counted as one each by their current occurrence: open
    while an occurrence is due (to tick now), done once the series is over; waiting for the next occurrence
    is neither (two queries: the rules with their plans, and the ticks)."""
    from django.db.models.functions import Coalesce

    rows = list(
        Recurrence.objects.annotate(role_key=Coalesce("item__owner_role_id", "item__checklist__role_id"))
        .filter(role_key__in=list(role_ids))
        .select_related("plan")
    )
    ticks = ticked_indexes(r.item_id for r in rows)
    out: dict[int, tuple[int, int]] = {}
    for rule in rows:
        plan = rule.plan
        state = series_state(
            series_moments(plan, rule),
            ticks.get(rule.item_id, {}),
            now=now,
            lead=plan.reminder_lead,
            grace=rule.grace,
        )
        opened, done = out.get(rule.role_key, (0, 0))  # type: ignore[attr-defined]
        out[rule.role_key] = (opened + (state.current is not None), done + state.over)  # type: ignore[attr-defined]
    return out


def series_source(plan: Any) -> list[SeriesBand]:
    """The plan's recurring items for the timeline (plans.timing.register_series_source): two queries."""
    from plans.timing import SeriesBand

    out = []
    for series in _rules_with_ticks(plan):
        rule, ticks = series
        role = rule.item.owner_role or rule.item.checklist.role
        dues = series_moments(plan, rule)
        out.append(
            SeriesBand(
                name=rule.item.title,
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
        .select_related("item__owner_role", "item__checklist__role")
        .order_by("item__order", "item_id")
    )
    ticks = ticked_indexes(r.item_id for r in rows)
    return [(rule, ticks.get(rule.item_id, {})) for rule in rows]
