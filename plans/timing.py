"""The offset fields of every app, so a hold or a re-baseline can move the whole plan in one place.

Apps register their offset fields in ``AppConfig.ready()``; plans never imports them, keeping the
dependency arrows pointing one way (the core, plans and roles, below checklists, issues and
communications; see [tool.importlinter] in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F

from .forecast import GateMark


@dataclass(frozen=True)
class OffsetField:
    model: type[models.Model]
    field: str
    plan_path: str = "plan"


_REGISTRY: list[OffsetField] = []


def register_offset_field(model: type[models.Model], field: str, plan_path: str = "plan") -> None:
    entry = OffsetField(model, field, plan_path)
    if entry not in _REGISTRY:
        _REGISTRY.append(entry)


def offset_fields() -> list[OffsetField]:
    return list(_REGISTRY)


def count_dated(plan_id: int, *, exclude: tuple[type[models.Model], ...] = ()) -> int:
    """How many rows of the plan have a registered offset set (the models in ``exclude`` left out):
    one query, whatever the number of registered fields."""
    querysets = [
        entry.model._default_manager.filter(**{entry.plan_path: plan_id, f"{entry.field}__isnull": False})
        .values_list("pk")
        .order_by()
        for entry in _REGISTRY
        if entry.model not in exclude
    ]
    if not querysets:
        return 0
    first, *rest = querysets
    return first.union(*rest, all=True).count() if rest else first.count()


def offsets_between(plan_id: int, low: timedelta, high: timedelta) -> set[timedelta]:
    """The distinct offsets in ``[low, high)`` of the plan's rows, over every registered field: one query."""
    querysets = [
        entry.model._default_manager.filter(
            **{entry.plan_path: plan_id, f"{entry.field}__gte": low, f"{entry.field}__lt": high}
        )
        .values_list(entry.field, flat=True)
        .order_by()
        for entry in _REGISTRY
    ]
    if not querysets:
        return set()
    first, *rest = querysets
    return set(first.union(*rest) if rest else first)


def pin_before(plan_id: int, old_t0: datetime, moment: datetime, delta: timedelta) -> int:
    """Before T-0 moves by ``delta``: keep everything planned before ``moment`` where it is in
    absolute time (its offset moves by ``-delta``), so only what lies after ``moment`` slips."""
    changed = 0
    cutoff = moment - old_t0
    for entry in _REGISTRY:
        qs = entry.model._default_manager.filter(
            **{entry.plan_path: plan_id, f"{entry.field}__lt": cutoff, f"{entry.field}__isnull": False}
        )
        changed += qs.update(**{entry.field: F(entry.field) - delta})
    return changed


# --- Gates in the forecast --------------------------------------------------------------------------
#: (plan id) -> (the plan's gates as forecast marks, {step id: ids of the gates it waits for}).
GateSource = Callable[[int], tuple[list[GateMark], dict[int, list[int]]]]
_GATE_SOURCES: list[GateSource] = []


def register_gate_source(source: GateSource) -> None:
    """The checklists app tells the forecast about its gates (plans cannot import it)."""
    if source not in _GATE_SOURCES:
        _GATE_SOURCES.append(source)


def gate_marks(plan_id: int) -> tuple[list[GateMark], dict[int, list[int]]]:
    marks: list[GateMark] = []
    waits: dict[int, list[int]] = {}
    for source in _GATE_SOURCES:
        more, more_waits = source(plan_id)
        marks += more
        for step, ids in more_waits.items():
            waits.setdefault(step, []).extend(ids)
    return marks, waits


# --- What repeats, on the timeline -------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesBand:
    """A recurring piece of work as the timeline draws it: a band from its first to its last occurrence,
    with a mark per occurrence (``done``: the indexes ticked)."""

    name: str
    role_slug: str
    role_name: str
    dues: tuple[datetime, ...]
    done: frozenset[int]
    missed_from: tuple[datetime, ...]


#: (plan) -> the plan's recurring work (checklists registers its recurring items).
SeriesSource = Callable[[object], list[SeriesBand]]
_SERIES_SOURCES: list[SeriesSource] = []


def register_series_source(source: SeriesSource) -> None:
    if source not in _SERIES_SOURCES:
        _SERIES_SOURCES.append(source)


def series_bands(plan: object) -> list[SeriesBand]:
    return [band for source in _SERIES_SOURCES for band in source(plan)]
