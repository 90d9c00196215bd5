"""A closed launch (handed over to operations: ``review.services.handoff_accept``) is read-only on its
launch day: :func:`plans.services.event_record`, which every write calls in its transaction, refuses the
kinds of event below for a closed plan, so the write is rolled back with a clear message. The review, its
follow-up actions, issues (carried over to operations), metric readings (monitoring goes on) and the
activity log's own bookkeeping stay writable; an app above may exempt its own
writes (:func:`register_exemption`: review lets its follow-up items be ticked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

#: Event kinds (a trailing dot: a family) that write to the launch day.
LAUNCH_DAY_KINDS = (
    "item.",
    "step.",
    "hold.",
    "gate.",
    "trigger.",
    "rollback.raised",  # a person pulling a rollback trigger (a reading's automatic breach and clear still record)
    "rollout.",
    "procedure.step",
    "plan.state",
    "plan.rebaselined",
)

Exemption = Callable[[str, dict[str, Any]], bool]
_EXEMPTIONS: list[Exemption] = []


class PlanClosed(ValidationError):
    """A write to the launch day of a closed launch."""


def register_exemption(check: Exemption) -> None:
    """``check(kind, data)`` -> True: this write stays allowed after the launch is closed."""
    if check not in _EXEMPTIONS:
        _EXEMPTIONS.append(check)


def is_launch_day(kind: str) -> bool:
    return any(kind.startswith(k) if k.endswith(".") else kind == k for k in LAUNCH_DAY_KINDS)


def require_open(status: str, kind: str, data: dict[str, Any] | None) -> None:
    """Raise :class:`PlanClosed` for a launch-day write to a closed plan."""
    if status != "closed" or not is_launch_day(kind):
        return
    if any(check(kind, data or {}) for check in _EXEMPTIONS):
        return
    raise PlanClosed(
        "The launch is closed: it was handed over to operations, so its launch day (ticks, steps, holds, gates) "
        "can no longer change. The review and its follow-up actions stay open."
    )


#: A launch that is over: closed (handed over), aborted or rolled back. The outbox sends it nothing more
#: (``communications.outbox.limits.ACTIVE_STATES``), its clock stops, its T-0 no longer moves, and its pages
#: show the final state and when it ended instead of anything still due.
ENDED_STATES = frozenset({"closed", "aborted", "rolled_back"})

#: The launched states, in which the clock counts from the launch.
LAUNCHED_STATES = frozenset({"launched", "stabilizing", "completed"})

#: Launching more than this before T-0 is launching early: the confirmation offers to move T-0 to now.
EARLY_MARGIN = timedelta(minutes=5)


def is_ended(status: str) -> bool:
    return status in ENDED_STATES


def is_before_launch(status: str) -> bool:
    """Neither launched nor ended (draft, scheduled, countdown, hold): a countdown to T-0 means something."""
    return status not in LAUNCHED_STATES and status not in ENDED_STATES


def launched_before_t0(status: str, t0: datetime, now: datetime) -> bool:
    """A launched plan whose T-0 still lies ahead (launched early, T-0 not moved): no countdown to it."""
    return status in LAUNCHED_STATES and now < t0
