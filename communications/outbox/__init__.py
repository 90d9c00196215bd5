"""The delivery engine: materialise what came due, claim it, send it, record the outcome.

``tick()`` is what the beat runs every OUTBOX_TICK_SECONDS:

1. **materialise**: for each live plan, ask every registered source for the deliveries due in
   ``(now - lookback, now]`` and insert the missing rows with ``bulk_create(ignore_conflicts=True)`` on
   the unique key, under the plan's row lock (so a hold end or re-baseline cannot interleave). What is
   already too late is inserted as ``late``, what needs approval as ``awaiting_approval``. During a hold
   nothing anchored after the hold's start is created: it slips when the hold ends. Wall-clock news (an
   issue's escalation, a rollback alarm, the routes' notices, failure notices) is anchored on the plan's
   creation, so it goes out during a hold.
2. **reclaim, then expire**: a claim whose send never began (its task lost with the broker) goes back to
   the queue after OUTBOX_UNSTARTED_RECLAIM_SECONDS; one whose send began and recorded nothing (a worker
   killed mid-call) becomes ``unknown`` after OUTBOX_CLAIM_TIMEOUT_SECONDS (never before the send task's
   hard time limit has passed). Then pending rows past their expiry become ``late``.
3. **claim**: ``select_for_update(skip_locked=True)`` on due, unexpired pending rows (and an unknown
   outcome's one retry), compare-and-set to ``sending`` with a fresh claim token; then one send task per row.

``send_claimed(id, token)`` (the Celery task's body) sends only while the row still carries its token and
has not expired, and records the outcome with a compare-and-set on that token: a delivery is *recorded*
exactly once. A send whose outcome is unknown (a timeout after the request went out, a worker lost
mid-call) is recorded as ``unknown`` and tried at most once more, with the same idempotency key: the
delivery's UUID (webhook ``Idempotency-Key``, email ``Message-ID``, one status post per delivery), unique

The package is split by what each part does: :mod:`.limits` (settings-driven timeouts, what a claim may pick
up), :mod:`.due` (materialise, and dropping unsent rows when T-0 moves), :mod:`.claims` (reclaim, expire,
claim, dispatch, ``tick``) and :mod:`.sending` (``send_claimed`` and recording the outcome).
"""

from __future__ import annotations

from ..sources import still_relevant
from .claims import (
    Dispatch,
    claim,
    dispatch_all,
    enqueue,
    expire,
    expire_and_reclaim,
    reclaim,
    release,
    send_queue_waiting,
    tick,
)
from .due import COMPOSE_FAILED, connect_signals, discard_unsent, materialise, materialise_plan, row_for
from .limits import (
    ACTIVE_STATES,
    CLAIMABLE,
    DB_ERRORS,
    backoff,
    claim_timeout,
    lookback,
    max_attempts,
    on_time,
    send_time_limit,
    started_claim_timeout,
    unstarted_claim_timeout,
)
from .sending import _cas, _persist, send_claimed

__all__ = [
    "ACTIVE_STATES",
    "CLAIMABLE",
    "COMPOSE_FAILED",
    "DB_ERRORS",
    "Dispatch",
    "_cas",
    "_persist",
    "backoff",
    "claim",
    "claim_timeout",
    "connect_signals",
    "discard_unsent",
    "dispatch_all",
    "enqueue",
    "expire",
    "expire_and_reclaim",
    "lookback",
    "materialise",
    "materialise_plan",
    "max_attempts",
    "on_time",
    "reclaim",
    "release",
    "row_for",
    "send_claimed",
    "send_queue_waiting",
    "send_time_limit",
    "started_claim_timeout",
    "still_relevant",
    "tick",
    "unstarted_claim_timeout",
]
