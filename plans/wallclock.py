"""Offsets against moments in a query: the inverse of :meth:`plans.models.Plan.at`.

``Plan.at`` places an offset's whole days on the plan's local calendar (``T-30d`` keeps T-0's wall-clock
time across a daylight-saving change) and its hours, minutes and seconds in elapsed time. So "the items due
before now" is not ``due_offset < now - t0``: an offset ``o`` whose whole-day part is ``k`` (truncated
towards zero) falls at ``t0 + o + shift(k)``, where ``shift(k)`` is how far the zone's UTC offset moved
between T-0 and ``k`` days from it (zero, or an hour either way). :func:`before_q` writes the exact
condition ``Plan.at(field) < moment`` as a ``Q`` over the stored offsets: offsets far below the moment's
day are all before it, those far above none, and the few days around it each get their own cutoff. It is
exact, needs no database function, and keeps the offset index usable.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q

from .offsets import offset_moment

if TYPE_CHECKING:
    from .models import Plan

__all__ = ["after_q", "before_q", "elapsed", "near_q", "offset_of"]

DAY = timedelta(days=1)
#: Days either side of the moment's own day that get an exact cutoff (a zone's shift is under a day).
_SPAN = 2


def elapsed(plan: Plan, offset: timedelta) -> timedelta:
    """The elapsed time from T-0 to the moment of ``offset`` (``Plan.at(offset) - t0``)."""
    return plan.at(offset) - plan.t0


def _in_day(field: str, k: int) -> Q:
    """Offsets whose whole-day part (truncated towards zero) is ``k``."""
    if k >= 1:
        return Q(**{f"{field}__gte": k * DAY, f"{field}__lt": (k + 1) * DAY})
    if k == 0:
        return Q(**{f"{field}__gt": -DAY, f"{field}__lt": DAY})
    return Q(**{f"{field}__gt": (k - 1) * DAY, f"{field}__lte": k * DAY})


def _below_day(field: str, k: int) -> Q:
    """Offsets whose whole-day part is below ``k``."""
    if k >= 1:
        return Q(**{f"{field}__lt": k * DAY})
    if k == 0:
        return Q(**{f"{field}__lte": -DAY})
    return Q(**{f"{field}__lte": (k - 1) * DAY})


def before_q(plan: Plan, field: str, moment: datetime, *, inclusive: bool = False) -> Q:
    """Rows whose ``Plan.at(field)`` is before ``moment`` (at or before it with ``inclusive``); a null
    offset never matches."""
    return _before(field, *_cutoffs(plan, moment), inclusive=inclusive)


def after_q(plan: Plan, field: str, moment: datetime, *, inclusive: bool = False) -> Q:
    """Rows whose ``Plan.at(field)`` is after ``moment`` (at or after it with ``inclusive``)."""
    target, k0, shifts = _cutoffs(plan, moment)
    if len(set(shifts)) == 1:  # one range (see _cutoffs)
        return Q(**{f"{field}__{'gte' if inclusive else 'gt'}": target - shifts[0]})
    return Q(**{f"{field}__isnull": False}) & ~_before(field, target, k0, shifts, inclusive=not inclusive)


def _before(field: str, target: timedelta, k0: int, shifts: list[timedelta], *, inclusive: bool) -> Q:
    """:func:`before_q` from the moment's :func:`_cutoffs`."""
    lookup = "lte" if inclusive else "lt"
    if len(set(shifts)) == 1:  # one range (see _cutoffs)
        return Q(**{f"{field}__{lookup}": target - shifts[0]})
    q = _below_day(field, k0 - _SPAN)
    for k, shift in zip(range(k0 - _SPAN, k0 + _SPAN + 1), shifts, strict=True):
        q |= _in_day(field, k) & Q(**{f"{field}__{lookup}": target - shift})
    return q


def _cutoffs(plan: Plan, moment: datetime) -> tuple[timedelta, int, list[timedelta]]:
    """``moment - t0``, the whole-day part ``k0`` of it, and ``shift(k)`` for each day ``k`` within ``_SPAN``
    of ``k0``. Most moments have no change of the zone's offset within those days: then every day's cutoff
    is the same, ``moment - t0 - shift``, which lies within a day of ``k0``'s own day, so the offsets below
    those days (all before the moment) and above them (none) agree with it too, and the condition is one
    range on the offset (shorter SQL, one index range) instead of a cutoff a day."""
    target = moment - plan.t0
    k0 = math.trunc(target.total_seconds() / DAY.total_seconds())
    shifts = [offset_moment(plan.t0, plan.zone, k * DAY) - plan.t0 - k * DAY for k in range(k0 - _SPAN, k0 + _SPAN + 1)]
    return target, k0, shifts


def near_q(plan: Plan, field: str, start: datetime, end: datetime) -> Q:
    """Rows whose ``Plan.at(field)`` may lie in ``(start, end]``: a plain range on the offset, a day wider each
    side (a zone's shift is under a day), so every row of ``after_q(start) & before_q(end, inclusive=True)``
    and a few more. Cheaper to build and compile than that exact condition; the caller keeps the rows whose
    ``Plan.at`` is in the window."""
    return Q(**{f"{field}__gt": start - plan.t0 - DAY, f"{field}__lte": end - plan.t0 + DAY})


def _day_of(offset: timedelta) -> int:
    return math.trunc(offset.total_seconds() / DAY.total_seconds())


def offset_of(plan: Plan, moment: datetime) -> timedelta:
    """The offset ``Plan.at`` places at ``moment`` (``T-30d`` at the same wall-clock time 30 days before a
    T-0 across a daylight-saving change, not ``T-30d1h``); the elapsed time where no offset lands there
    (the hour a change skips)."""
    target = moment - plan.t0
    k0 = _day_of(target)
    for k in (k0, k0 - 1, k0 + 1):
        candidate = target - (offset_moment(plan.t0, plan.zone, k * DAY) - plan.t0 - k * DAY)
        if _day_of(candidate) == k and plan.at(candidate) == moment:
            return candidate
    return target
