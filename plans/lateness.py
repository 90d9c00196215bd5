"""One meaning of *late*, for the board, the role and gate pages, the timeline, reports and reminders.

- An open **item** is late from its due time (``plan.at(due_offset)``: whole days on the plan's calendar,
  see :meth:`plans.models.Plan.at`) on; in a clockless plan from its absolute due date (``Item.due_at``).
- A **pending step** is late from its planned start (it should have started); a step **in progress** from
  its planned finish (it should have finished); a **done** step was late if it finished after its planned
  finish. A skipped step is never late.
- "From" is strict: exactly at the due moment it is not late yet; a moment after, it is.
- On hold the plan's clock stands at the hold's start (:func:`plan_clock`): what falls due during the hold is not
  late until the hold's end has slipped it and its new moment has come; what was late before stays late.

The plan's *reminder lead* does not move any of this: it only decides when the "due soon" reminder goes
out (and how long before the due time a row reads "Due soon"). The overdue reminder goes out from the
moment something is late (plus the outbox's small grace, ``REMINDER_OVERDUE_GRACE_MINUTES``).

Querysets use :func:`late_q` (``plans.wallclock.before_q``): the exact ``plan.at(offset) < now`` over the
stored offsets (a plain ``offset < now - t0`` would be an hour off across a daylight-saving change).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q

from .models import StepStatus
from .wallclock import before_q

if TYPE_CHECKING:
    from .models import Plan

__all__ = [
    "is_late",
    "plan_clock",
    "item_due",
    "item_late_from",
    "item_late_q",
    "late_q",
    "step_is_late",
    "step_is_late_between",
    "step_late_from",
]


def plan_clock(plan: Plan, now: datetime) -> datetime:
    """The moment the plan's clock stands at: ``now``, or, on hold, the hold's start. What falls due during a hold
    is not late (the hold's end slips it, and its reminders wait): it read "Late" on the pages while the clock
    stood still, then "Due" again once the hold ended."""
    held = plan.held_since()
    return min(now, held) if held is not None else now


def late_q(plan: Plan, now: datetime, field: str = "due_offset") -> Q:
    """Rows whose offset ``field`` is due before the plan's clock at ``now`` (late if still open; a pending
    step's ``offset``)."""
    return before_q(plan, field, plan_clock(plan, now))


def is_late(now: datetime, late_from: datetime | None) -> bool:
    """Whether ``now`` is past the moment something becomes late (``None``: it never does)."""
    return late_from is not None and now > late_from


def item_late_q(plan: Plan, now: datetime) -> Q:
    """Items due before ``now``: by their offset, or (a clockless plan's) by their absolute ``due_by``."""
    return late_q(plan, now) | Q(due_by__lt=plan_clock(plan, now))


def item_due(plan: Plan, due_offset: timedelta | None, due_by: datetime | None) -> datetime | None:
    """When an item is due: its absolute due time in a clockless plan, else ``Plan.at`` of its offset."""
    return due_by if due_by is not None else item_late_from(plan, due_offset)


def item_late_from(plan: Plan, due_offset: timedelta | None) -> datetime | None:
    """When an open item becomes late: its due time (``None`` for an item with no due time)."""
    return None if due_offset is None else plan.at(due_offset)


def step_late_from(plan: Plan, offset: timedelta, duration: timedelta, status: str) -> datetime | None:
    """When an unfinished step becomes late: a pending one at its planned start, one in progress at its
    planned finish; ``None`` for a step that is done or skipped."""
    start = plan.at(offset)
    return _step_late_from(start, start + duration, status)


def _step_late_from(start: datetime, finish: datetime, status: str) -> datetime | None:
    if status == StepStatus.PENDING:
        return start
    if status == StepStatus.IN_PROGRESS:
        return finish
    return None


def step_is_late(
    *,
    plan: Plan,
    offset: timedelta,
    duration: timedelta,
    status: str,
    now: datetime,
    actual_finish: datetime | None = None,
) -> bool:
    """Whether a step is (or, once done, was) late at ``now`` (by the plan's clock: :func:`plan_clock`)."""
    start = plan.at(offset)
    return step_is_late_between(
        start=start, finish=start + duration, status=status, now=plan_clock(plan, now), actual_finish=actual_finish
    )


def step_is_late_between(
    *, start: datetime, finish: datetime, status: str, now: datetime, actual_finish: datetime | None = None
) -> bool:
    """:func:`step_is_late` for a step whose planned start and finish are known (the forecast's)."""
    if status == StepStatus.DONE:
        return actual_finish is not None and actual_finish > finish
    return is_late(now, _step_late_from(start, finish, status))
