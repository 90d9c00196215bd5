"""The outbox's beat in time-travel tests: tick only where something can fall due, not every few minutes.

The outbox creates what its sources say is due in the last ``lookback()`` (24 h) at each tick. A test that
proves "each reminder once, at its time" needs, for each due moment ``d`` of the span: a tick just before it
(nothing goes out early), a tick at ``d`` (it goes out at its time), one just after (the same row is seen
again and not made twice) and one at the end of the lookback that still holds ``d`` (a duplicate made late in
the window would show). Between those moments nothing can fall due, so ticks there prove nothing more.

The moments come from the sources themselves (``specs_for`` over the whole span, as the plan stands when
:func:`moments` is called): call it again after anything that moves them (a hold, a re-baseline).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import time_machine

from communications import outbox
from communications.outbox.limits import lookback
from communications.sources import specs_for

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

    from plans.models import Plan

#: How far before and after a due moment the neighbouring ticks fall.
NEAR = timedelta(minutes=1)


def moments(plan: Plan, start: datetime, end: datetime, *, kinds: Container[str] | None = None) -> list[datetime]:
    """Every moment in ``(start, end]`` at which something of ``plan`` falls due, as the plan stands now (only
    deliveries of the source kinds in ``kinds``, when given: what the test is about)."""
    specs = specs_for(plan, start, end)
    return sorted({s.due_at for s in specs if kinds is None or s.source_kind in kinds})


def around(dues: Iterable[datetime], start: datetime, end: datetime) -> list[datetime]:
    """The ticks that prove each due moment is met once, at its time (see the module), within ``[start, end]``,
    plus ``start`` and ``end`` themselves."""
    late = lookback() - NEAR
    ticks = {start, end}
    for d in dues:
        ticks.update(t for t in (d - NEAR, d, d + NEAR, d + late) if start <= t <= end)
    return sorted(ticks)


def tick_at(moment: datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return outbox.tick(now=moment)


def beat(plan: Plan, start: datetime, end: datetime, *, kinds: Container[str] | None = None) -> list[datetime]:
    """The ticks around everything of ``plan`` due in ``[start, end]`` (of ``kinds``, when given), and at the
    end of the lookback of what came due before ``start``."""
    return around(moments(plan, start - lookback(), end, kinds=kinds), start, end)


def tick_each(moments: Iterable[datetime]) -> None:
    """Tick the outbox at each of ``moments``, once each, in time order."""
    for moment in sorted(set(moments)):
        tick_at(moment)


def run_due(plan: Plan, start: datetime, end: datetime, *, kinds: Container[str] | None = None) -> int:
    """Tick the outbox at :func:`beat`; returns the number of ticks."""
    ticks = beat(plan, start, end, kinds=kinds)
    tick_each(ticks)
    return len(ticks)
