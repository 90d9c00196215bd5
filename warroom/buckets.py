"""The board's cache bucket: which time slot a poll's ETag names.

The board has rows that change with time alone (an item becoming late, the next 30 minutes, a breaching
rollback trigger becoming an alarm). The slot is the minute, or, once a deadline the last render saw coming
has passed within this minute, that deadline: so such a change reaches the screens within one poll
interval, not up to a minute later.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from plans.models import Plan

from . import selectors

log = logging.getLogger(__name__)

BUCKET_SECONDS = 60
CACHE_SECONDS = 3 * BUCKET_SECONDS


def current_bucket(plan_id: int | None = None, revision: int | None = None) -> int:
    """The time slot in the ETag: the board has time-dependent rows (late, next 30 minutes, a breach
    becoming an alarm). It is the minute, or, once a deadline the last render saw coming has passed within
    this minute, that deadline (epoch milliseconds, one after the moment: never equal to a minute's number),
    so the change reaches the screens within one poll (or at once, pushed: live.hub), not at the next
    minute."""
    now = time.time()
    bucket = int(now // BUCKET_SECONDS)
    if plan_id is None or revision is None:
        return bucket
    start, now_ms = bucket * BUCKET_SECONDS * 1000, now * 1000
    passed = [d for d in _deadlines(plan_id, revision) if start <= d <= now_ms]
    return max(passed) if passed else bucket


# Deadlines the renders saw coming, per (plan, revision): in the shared cache (every process polls), read
# at most once a second per process.
_DEADLINES: dict[tuple[int, int], tuple[float, list[int]]] = {}


def _deadline_key(plan_id: int, revision: int) -> str:
    return f"warroom:deadlines:{plan_id}:{revision}"


def _deadlines(plan_id: int, revision: int) -> list[int]:
    now = time.monotonic()
    hit = _DEADLINES.get((plan_id, revision))
    if hit is not None and now - hit[0] < 1.0:
        return hit[1]
    try:
        found = cache.get(_deadline_key(plan_id, revision)) or []
    except Exception:  # the cache is down: minute buckets only (as before)
        found = []
    if len(_DEADLINES) > 10_000:
        _DEADLINES.clear()
    _DEADLINES[(plan_id, revision)] = (now, found)
    return found


def remember_deadlines(plan: Plan, board: selectors.Board | None = None) -> list[int]:
    """Keep the moments in the next few minutes at which this board changes by itself (with the recent
    ones, so a bucket that turned over stays turned over until the minute ends); after a render, from
    what the render read (``board``: one more query, not five)."""
    now = board.now if board else timezone.now()
    coming = selectors.next_deadlines(plan, now, now + timedelta(seconds=CACHE_SECONDS), board)
    moments = [int(m.timestamp() * 1000) + 1 for m in coming]  # ms, just after the moment
    key = _deadline_key(plan.pk, plan.revision)
    try:
        old = [d for d in (cache.get(key) or []) if d >= (now.timestamp() - 2 * BUCKET_SECONDS) * 1000]
        cache.set(key, sorted({*old, *moments}), timeout=CACHE_SECONDS * 2)
    except Exception as exc:
        # The render that called us has already logged the cache outage once (warroom.views): one line a
        # render, not two. Without the store the board still turns over at the next minute.
        log.debug("warroom: could not store the board's deadlines (%s: %s)", type(exc).__name__, exc)
    return moments


def upcoming_changes(plan_id: int) -> list[int]:
    """The moments (epoch milliseconds, as in the bucket) in the next few minutes at which the
    plan's board changes with no event, stored for the poll's bucket as a render stores them: the push
    channel (``live.hub``) wakes the open pages at each."""
    plan = Plan.objects.get(pk=plan_id)
    return remember_deadlines(plan)
