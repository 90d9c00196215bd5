"""Offsets as planned, whatever holds did to them.

When a hold ends, T-0 slips by its length and what was planned *before* the hold's start is pinned where
it was in absolute time, so its stored offset grows by the slip (``T-2h`` becomes ``T-2h59s`` after a 59 s
hold: ``plans.timing.pin_before``). Times and lateness use the stored offset (it is where the thing really
is); a person reads the offset *as planned*: every page, message and ``export_plan`` show
``planned_offset`` (``T-2h``), and the hold's length is its own "slipped by" figure.

The planned offset is the stored one plus the slip of every ended hold that started after the moment
(``plan.at(offset)``): exactly the holds that pinned it. A re-baseline moves T-0 on purpose and with it every
offset, so it is not a slip. An early launch that moved T-0 to now pinned what lay before the launch too
(``plans.early``): that is undone first, and the holds (all before the launch) are then read at the moment
the offset had before it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .early import early_launch
from .offsets import offset_moment

if TYPE_CHECKING:
    from .models import Hold, Plan

__all__ = ["plan_slips", "prime_slips", "planned_label", "planned_offset", "slipped_by"]

Slips = list[tuple[datetime, timedelta]]


def plan_slips(plan: Plan) -> Slips:
    """The plan's ended holds that moved T-0, as (started at, slip); read once per plan instance."""
    cached: Slips | None = getattr(plan, "_planned_slips", None)
    if cached is not None:
        return cached
    from .models import Hold

    slips: Slips = []
    if plan.pk:
        rows = Hold.objects.filter(plan_id=plan.pk, ended_at__isnull=False, slip__gt=timedelta(0))
        slips = [(at, slip) for at, slip in rows.order_by("started_at").values_list("started_at", "slip") if slip]
    plan._planned_slips = slips  # type: ignore[attr-defined]
    return slips


def prime_slips(plan: Plan, holds: list[Hold]) -> None:
    """Give ``plan`` its slips from holds a page has loaded anyway (all of the plan's holds)."""
    ended = sorted((h for h in holds if h.ended_at is not None and h.slip), key=lambda h: h.started_at)
    plan._planned_slips = [(h.started_at, h.slip) for h in ended if h.slip]  # type: ignore[attr-defined]


def planned_offset(plan: Plan, offset: timedelta | None) -> timedelta | None:
    """The offset as planned: ``T-2h`` for a ``T-2h59s`` pinned by a 59 s hold (or a ``T-6d22h`` pinned by a
    launch two hours early)."""
    if offset is None:
        return None
    early = early_launch(plan)
    if early is None:
        moment = plan.at(offset)
    else:  # an early launch moved T-0 after the holds: undo it, and read the holds at T-0 as it was
        offset = early.before(offset)
        moment = offset_moment(early.old_t0, plan.zone, offset)
    return offset + sum((slip for started, slip in plan_slips(plan) if started > moment), timedelta(0))


def planned_label(plan: Plan, offset: timedelta) -> str:
    """``T-2h``: the offset as planned, written as in a plan file."""
    from .offsets import format_offset

    return format_offset(planned_offset(plan, offset) or offset)


def slipped_by(plan: Plan) -> timedelta:
    """How far holds have moved T-0 in all."""
    return sum((slip for _, slip in plan_slips(plan)), timedelta(0))
