"""An ended launch is read-only on its launch day: closed (handed over to operations:
``review.services.handoff_accept``), aborted or rolled back. :func:`plans.services.event_record`, which every
write calls in its transaction, refuses the kinds of event below for such a plan, so the write is rolled back
with a clear message, and the role and gate pages offer no tick, Start or Finish for it. The review, its
follow-up actions, issues (carried over to operations), metric readings (monitoring goes on) and the
activity log's own bookkeeping stay writable; an app above may exempt its own writes
(:func:`register_exemption`: review lets its follow-up items be ticked, and tells the pages which items those
are: :func:`register_open_items`). An aborted or rolled-back launch still works its abort or rollback
procedure (``plans.runbook``), which the decision calls, and its rollout records how its stages were rolled
back (:data:`STILL_OPEN_AFTER_ABORT`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import Plan

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

#: What an aborted or rolled-back launch still records: the procedure its abort or rollback called, and its
#: rollout's rollback of its stages (recorded after the launch's move to rolled back, in its transaction).
STILL_OPEN_AFTER_ABORT = ("procedure.step", "rollout.stage_rolled_back", "rollout.launch_rolled_back", "plan.state")

Exemption = Callable[[str, dict[str, Any]], bool]
_EXEMPTIONS: list[Exemption] = []
#: (plan id) -> the ids of its items that stay open after the launch ended (review's follow-up actions).
OpenItems = Callable[[int], set[int]]
_OPEN_ITEMS: list[OpenItems] = []


class PlanClosed(ValidationError):
    """A write to the launch day of a closed launch."""


def register_exemption(check: Exemption) -> None:
    """``check(kind, data)`` -> True: this write stays allowed after the launch is closed."""
    if check not in _EXEMPTIONS:
        _EXEMPTIONS.append(check)


def register_open_items(source: OpenItems) -> None:
    """``source(plan_id)`` -> the ids of the plan's items that :func:`register_exemption` lets be ticked after
    the launch ended, so that the pages still offer their tick (one query)."""
    if source not in _OPEN_ITEMS:
        _OPEN_ITEMS.append(source)


def open_items(plan_id: int) -> set[int]:
    return {pk for source in _OPEN_ITEMS for pk in source(plan_id)}


def row_writable(plan: Plan, can_act: bool) -> Callable[[int | None], bool]:
    """Whether a page offers to tick or run a row (an item's id; None for a step) to someone who may act for
    its role: never once the launch has ended, but for the items that stay open (one query then)."""
    if not can_act or not plan.has_ended:
        return lambda pk: can_act
    still_open = open_items(plan.pk)
    return lambda pk: pk in still_open


def _matches(kind: str, kinds: tuple[str, ...]) -> bool:
    return any(kind.startswith(k) if k.endswith(".") else kind == k for k in kinds)


def is_launch_day(kind: str) -> bool:
    return _matches(kind, LAUNCH_DAY_KINDS)


def require_open(status: str, kind: str, data: dict[str, Any] | None) -> None:
    """Raise :class:`PlanClosed` for a launch-day write to an ended plan."""
    if status not in ENDED_STATES or not is_launch_day(kind):
        return
    if status != "closed" and _matches(kind, STILL_OPEN_AFTER_ABORT):
        return
    if any(check(kind, data or {}) for check in _EXEMPTIONS):
        return
    if status == "closed":
        raise PlanClosed(
            "The launch is closed: it was handed over to operations, so its launch day (ticks, steps, holds, "
            "gates) can no longer change. The review and its follow-up actions stay open."
        )
    what, procedure = ("rolled back", "rollback") if status == "rolled_back" else ("aborted", "abort")
    raise PlanClosed(
        f"The launch was {what}, so its launch day (ticks, steps, holds, gates) can no longer change. The "
        f"{procedure} procedure on the plan page, the review and its follow-up actions stay open."
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
