"""Which time slot a live page's ETag names (the core's side of ``warroom.buckets``).

Pages with rows that change by time alone (an item becoming late, a step entering the next 30 minutes) put
the slot in their ETag, so a poll or a pushed fetch answers 304 only while neither the plan's revision nor
the slot has moved. The slot is the minute, or, once the board sees that one of its deadlines has passed
within this minute, that deadline: the board registers how it knows (:func:`register_time_bucket`, in
``warroom``'s ``ready()``), and every live page of the plan turns over at the same moment as the board,
which is when the push channel (``live.hub``) tells the open pages to fetch."""

from __future__ import annotations

import time
from collections.abc import Callable

Bucket = Callable[[int, int], int]
_BUCKETS: list[Bucket] = []


def register_time_bucket(fn: Bucket) -> None:
    """``fn(plan_id, revision)``: the current slot (no database query: it runs on every poll)."""
    if fn not in _BUCKETS:
        _BUCKETS.append(fn)


def time_bucket(plan_id: int, revision: int) -> int:
    """The registered slot of the plan, or the minute when nothing is registered."""
    if _BUCKETS:
        return _BUCKETS[-1](plan_id, revision)
    return int(time.time() // 60)
