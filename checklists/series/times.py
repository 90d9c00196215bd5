"""When the occurrences of a recurring item fall, and what state a series is in at a moment (no queries but
the plan's ended holds, once per plan instance: ``plans.slips``; the caller passes the plan, the rule and
the ticked indexes).

The one wall-clock rule (:meth:`plans.models.Plan.at`): an interval of whole days (``every: 1d``) keeps
the clock time in the plan's zone across a daylight-saving change, so each occurrence is ``Plan.at(start +
k * every)``; a shorter interval (``every: 15m``) is elapsed time from the first occurrence. ``times`` are
clock times in the plan's zone on each day of the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from plans.slips import plan_slips

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from plans.models import Plan

DAY = timedelta(days=1)
#: A series has at most this many occurrences (672 is every 15 minutes for a week).
MAX_SERIES = 2000
#: The grace of a series' only occurrence, when it gives none.
LONE_GRACE = timedelta(hours=1)


def parse_clock(text: str) -> time:
    """``"09:00"`` -> ``time(9, 0)``; ValueError for anything else."""
    raw = str(text).strip()
    hours, sep, minutes = raw.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(f"{raw[:20]!r} is not a clock time such as 09:00")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"{raw[:20]!r} is not a clock time such as 09:00")
    return time(h, m)


def moments(
    plan: Plan, *, every: timedelta | None, times: list[str], start: timedelta, until: timedelta
) -> list[datetime]:
    """Every occurrence's moment (UTC), first first; at most :data:`MAX_SERIES`."""
    if until < start:
        return []
    if every:
        first, last = plan.at(start), plan.at(until)
        # A hold that ended after the first occurrence pinned the series' start (plans.timing.pin_before) and
        # slipped its end: the occurrences after the hold's start slip by its length, like everything after a
        # hold (and a repeating message's sends); the series keeps its number of occurrences.
        slips = [(started, slip) for started, slip in plan_slips(plan) if first < started < last]
        span = until - start - sum((slip for _, slip in slips), timedelta(0))
        if every % DAY == timedelta(0):
            count = min(MAX_SERIES, span // every + 1) if span >= timedelta(0) else 0
            return [_slipped(plan.at(start + every * k), first, slips) for k in range(count)]
        count = min(MAX_SERIES, span // every + 1) if span >= timedelta(0) else 0
        return [_slipped(first + every * k, first, slips) for k in range(count)]
    clocks = sorted(parse_clock(t) for t in times)
    first, last = plan.at(start), plan.at(until)
    day = plan.local(first).date()
    out: list[datetime] = []
    while day <= plan.local(last).date() and len(out) < MAX_SERIES:
        for clock in clocks:
            moment = datetime.combine(day, clock).replace(tzinfo=plan.zone).astimezone(UTC)
            if first <= moment <= last and len(out) < MAX_SERIES:
                out.append(moment)
        day += DAY
    return sorted(set(out))


def _slipped(at: datetime, first: datetime, slips: list[tuple[datetime, timedelta]]) -> datetime:
    for started, slip in slips:  # in the order they happened: a later hold sees the earlier slips
        if first < started < at:
            at += slip
    return at


def series_moments(plan: Plan, rule: Any) -> list[datetime]:
    """The moments of a :class:`~checklists.series.models.Recurrence` (or anything with its fields)."""
    return moments(plan, every=rule.every, times=list(rule.times or []), start=rule.start, until=rule.until)


@dataclass(frozen=True)
class Slot:
    """One occurrence: its number (0 is the first), when it is due and when it counts as missed."""

    index: int
    due: datetime
    missed_from: datetime
    done: bool = False
    late: bool = False  # ticked after it was missed: done late, not missed

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class SeriesState:
    """A series at one moment: the occurrence to tick now (due soon or late, not yet missed), the next one,
    and how many were ticked and missed of how many."""

    total: int
    done: int = 0
    missed: int = 0
    done_late: int = 0
    current: Slot | None = None
    next: Slot | None = None
    last_missed: Slot | None = None
    last_done: Slot | None = None
    slots: list[Slot] = field(default_factory=list, repr=False)

    @property
    def over(self) -> bool:
        """Every occurrence is past (ticked or missed): the series counts as done."""
        return self.current is None and self.next is None

    @property
    def late(self) -> bool:
        return self.current is not None and self._now > self.current.due

    _now: datetime = field(default=datetime.min.replace(tzinfo=UTC), repr=False)

    @property
    def state(self) -> str:
        """The row's state in the role page's words (checklists.summary.STATE_LABELS)."""
        if self.over:
            return "done"
        if self.current is not None:
            return "overdue" if self.late else "due_soon"
        return "upcoming"


def grace_of(dues: list[datetime], i: int, grace: timedelta | None) -> timedelta:
    """How long occurrence ``i`` may be ticked after its time: the series' grace, or until the next
    occurrence comes due (the last one: as long as the gap before it)."""
    if grace is not None:
        return grace
    if i + 1 < len(dues):
        return dues[i + 1] - dues[i]
    if i > 0:
        return dues[i] - dues[i - 1]
    return LONE_GRACE


def series_state(
    dues: list[datetime],
    ticked: Collection[int] | Mapping[int, datetime],
    *,
    now: datetime,
    lead: timedelta,
    grace: timedelta | None,
) -> SeriesState:
    """The state at ``now`` of a series due at ``dues`` with the occurrences ``ticked`` (their indexes, or
    index -> when ticked: one ticked after it was missed counts as done late). An occurrence may be ticked
    from ``lead`` (the plan's reminder lead) before its time until it is missed, and late after; the current
    one is the earliest not ticked and not yet missed."""
    state = SeriesState(total=len(dues), _now=now)
    when = ticked if isinstance(ticked, dict) else {}
    for i, due in enumerate(dues):
        missed_from = due + grace_of(dues, i, grace)
        done_at = when.get(i)
        late = done_at is not None and done_at > missed_from
        slot = Slot(i, due, missed_from, done=i in ticked, late=late)
        state.slots.append(slot)
        if slot.done:
            state.done += 1
            state.done_late += late
            state.last_done = slot
        elif now > slot.missed_from:
            state.missed += 1
            state.last_missed = slot
        elif now >= due - lead and state.current is None:
            state.current = slot
        elif due > now and state.next is None and slot is not state.current:
            state.next = slot
    if state.next is None:
        state.next = next((s for s in state.slots if s.due > now and s is not state.current and not s.done), None)
    return state


def slot_at(plan: Plan, rule: Any, index: int) -> tuple[datetime, datetime] | None:
    """(due, missed from) of occurrence ``index`` of ``rule``; None if the series has no such occurrence."""
    dues = series_moments(plan, rule)
    if not 0 <= index < len(dues):
        return None
    return dues[index], dues[index] + grace_of(dues, index, rule.grace)
