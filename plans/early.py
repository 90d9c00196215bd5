"""An early launch's pin, so that offsets read as planned after it (``plans.slips``).

Launching more than ``plans.closing.EARLY_MARGIN`` before T-0 may move T-0 to the launch
(``plans.services.plan_launch``, ``move_t0``). What was planned before the launch keeps its moment
(``plans.timing.pin_before``), so its stored offset grows by how far ahead T-0 was (the *shift*: ``T-7d``
becomes ``T-6d22h`` after a launch two hours early); what was planned after the launch moves with T-0, its
offset unchanged. A hold's slip is told apart by time (what lies before the hold's start was pinned), but an
early launch moves T-0 *back*, so the two groups meet in the last ``shift`` before the new T-0: an item
planned at T-3h (pinned) and one planned at T-1h (moved) both lie an hour before it. Below ``-shift`` every
offset was pinned, from T-0 on none was; in between, the launch records which offsets it pinned there, and
moves T-0 a second or more before the launch when an offset it pinned would land on one that moved
(:func:`plan_early`), so that each reads as planned.

The record is kept on the plan (``Plan.early_launch``): ``at`` (the new T-0), ``shift`` and ``pinned``
(microseconds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Plan

__all__ = ["EarlyLaunch", "early_launch", "plan_early", "reach"]

US = timedelta(microseconds=1)
ZERO = timedelta(0)
#: How many seconds before the launch T-0 may be put so that no offset it pinned lands on one that moved.
NUDGE_SECONDS = 60


@dataclass(frozen=True)
class EarlyLaunch:
    at: datetime  # the launch: T-0 moved here
    shift: timedelta  # how far ahead T-0 was (positive)
    pinned: frozenset[timedelta]  # the pinned offsets in [-shift, 0), where pinned and moved ones meet

    def record(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "shift": self.shift // US, "pinned": sorted(p // US for p in self.pinned)}

    @classmethod
    def parse(cls, data: object) -> EarlyLaunch | None:
        if not isinstance(data, dict):
            return None
        try:
            pinned = frozenset(int(p) * US for p in data.get("pinned") or ())
            return cls(datetime.fromisoformat(str(data["at"])), int(data["shift"]) * US, pinned)
        except (KeyError, TypeError, ValueError):
            return None

    def was_pinned(self, offset: timedelta) -> bool:
        return offset < -self.shift or (offset < ZERO and offset in self.pinned)

    def before(self, offset: timedelta) -> timedelta:
        """The offset as it was before the launch moved T-0."""
        return offset - self.shift if self.was_pinned(offset) else offset

    @property
    def old_t0(self) -> datetime:
        return self.at + self.shift


def early_launch(plan: Plan) -> EarlyLaunch | None:
    """The plan's early launch, parsed once per value of its record."""
    raw = plan.early_launch
    if raw is None:
        return None
    cached: tuple[object, EarlyLaunch | None] | None = getattr(plan, "_early_launch", None)
    if cached is not None and cached[0] is raw:
        return cached[1]
    parsed = EarlyLaunch.parse(raw)
    plan._early_launch = (raw, parsed)  # type: ignore[attr-defined]
    return parsed


def reach(t0: datetime, now: datetime) -> tuple[timedelta, timedelta]:
    """The offsets :func:`plan_early` needs to see, ``[low, 0)``: those it may pin into the meeting band."""
    longest = t0 - now + timedelta(seconds=NUDGE_SECONDS)
    return -2 * longest, ZERO


def plan_early(t0: datetime, now: datetime, offsets: Iterable[timedelta]) -> EarlyLaunch:
    """Where an early launch at ``now`` puts T-0 (``now``, or a few seconds before it) and what it pins into
    the band where pinned and moved offsets meet. ``offsets``: the plan's distinct offsets in :func:`reach`."""
    values = set(offsets)
    first: EarlyLaunch | None = None
    for back in range(NUDGE_SECONDS):
        at = now - timedelta(seconds=back)
        shift = t0 - at
        pinned = frozenset(v + shift for v in values if -2 * shift <= v < -shift)
        moved = {v for v in values if -shift <= v < ZERO}
        early = EarlyLaunch(at, shift, pinned)
        if not pinned & moved:
            return early
        first = first or early
    assert first is not None
    return first  # every second collides (offsets a second apart throughout): the launch's own second
