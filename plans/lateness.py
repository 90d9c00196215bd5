"""One meaning of *late*, for the board, the role and gate pages, the timeline, reports and reminders.

- An open **item** is late from its due time (``t0 + due_offset``) on.
- A **pending step** is late from its planned start (it should have started); a step **in progress** from
  its planned finish (it should have finished); a **done** step was late if it finished after its planned
  finish. A skipped step is never late.
- "From" is strict: exactly at the due moment it is not late yet; a moment after, it is.

The plan's *reminder lead* does not move any of this: it only decides when the "due soon" reminder goes
out (and how long before the due time a row reads "Due soon"). The overdue reminder goes out from the
moment something is late (plus the outbox's small grace, ``REMINDER_OVERDUE_GRACE_MINUTES``).

Querysets use :func:`late_cutoff`: an open item (or pending step) is late when its offset is strictly
below it (``due_offset__lt=late_cutoff(t0, now)``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .models import StepStatus

__all__ = ["is_late", "item_late_from", "late_cutoff", "step_is_late", "step_late_from"]


def late_cutoff(t0: datetime, now: datetime) -> timedelta:
    """The offset below which something due is late at ``now`` (``offset < late_cutoff`` means late)."""
    return now - t0


def is_late(now: datetime, late_from: datetime | None) -> bool:
    """Whether ``now`` is past the moment something becomes late (``None``: it never does)."""
    return late_from is not None and now > late_from


def item_late_from(t0: datetime, due_offset: timedelta | None) -> datetime | None:
    """When an open item becomes late: its due time (``None`` for an item with no due time)."""
    return None if due_offset is None else t0 + due_offset


def step_late_from(t0: datetime, offset: timedelta, duration: timedelta, status: str) -> datetime | None:
    """When an unfinished step becomes late: a pending one at its planned start, one in progress at its
    planned finish; ``None`` for a step that is done or skipped."""
    if status == StepStatus.PENDING:
        return t0 + offset
    if status == StepStatus.IN_PROGRESS:
        return t0 + offset + duration
    return None


def step_is_late(
    *,
    t0: datetime,
    offset: timedelta,
    duration: timedelta,
    status: str,
    now: datetime,
    actual_finish: datetime | None = None,
) -> bool:
    """Whether a step is (or, once done, was) late at ``now``."""
    if status == StepStatus.DONE:
        return actual_finish is not None and actual_finish > t0 + offset + duration
    return is_late(now, step_late_from(t0, offset, duration, status))
