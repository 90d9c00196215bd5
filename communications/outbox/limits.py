"""The outbox's knobs and shared small parts: which plans send, the settings-driven timeouts and limits,
what a claim may pick up, and how times read in a delivery's note."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from plans.models import PlanStatus

from ..models import DeliveryStatus

log = logging.getLogger(__name__)

#: Plans whose deliveries go out (a draft, an aborted or rolled-back launch sends nothing automatically).
ACTIVE_STATES = [
    PlanStatus.SCHEDULED,
    PlanStatus.COUNTDOWN,
    PlanStatus.HOLD,
    PlanStatus.LAUNCHED,
    PlanStatus.STABILIZING,
    PlanStatus.COMPLETED,
]


#: The name of the outbox tick's ``OutboxBeat`` row (communications.health).
TICK = "tick"

#: What an ended launch still sends: the routes' notices of what its log recorded up to its end (the ending
#: itself above all: "Launch Launched → Aborted: ..."), and the email that tells its people it was aborted or
#: rolled back (``sources.ending``), made at the first tick after it (``due.ending_specs``).
ENDING_KINDS = frozenset({"route.event", "plan.ended"})


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def lookback() -> timedelta:
    return timedelta(hours=_setting("OUTBOX_LOOKBACK_HOURS", 24))


def claim_timeout() -> timedelta:
    return started_claim_timeout()


def max_attempts() -> int:
    return int(_setting("OUTBOX_MAX_ATTEMPTS", 4))


def backoff(attempts: int) -> timedelta:
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 30)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 600))


# --- Expire / reclaim / claim / send -----------------------------------------------------------------------
#
# A claimed row is ``sending`` with a claim token. ``attempt_started_at`` says whether the current claim has
# begun its outgoing call: before that, a lost claim (a task lost with the broker, or still queued) is safe to
# hand out again; after it, nobody knows whether the receiver got it, so the row becomes ``unknown`` and gets
# at most one more try, with the same idempotency key. A send never starts after the row's expiry.

#: Rows a claim may pick up: pending ones, and an unknown outcome's one retry with the same key.
CLAIMABLE = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.UNKNOWN, retry_same_key=True)

#: Database errors worth another try (a restart, a killed connection, a failover); Django wraps psycopg's.
DB_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def tick_time_limit() -> timedelta:
    """The outbox tick's soft time limit: a tick that finished began at most this long before."""
    return timedelta(seconds=_setting("OUTBOX_TICK_TIME_LIMIT_SECONDS", 120))


def send_time_limit() -> float:
    """The send task's hard time limit (Celery kills it after this)."""
    return _setting("OUTBOX_SEND_TIME_LIMIT_SECONDS", 40)


def started_claim_timeout() -> timedelta:
    """When a send that began and recorded nothing is presumed lost: OUTBOX_CLAIM_TIMEOUT_SECONDS, but never
    before the task's hard time limit (plus a margin) has passed, so a send still running is never doubled."""
    return timedelta(seconds=max(_setting("OUTBOX_CLAIM_TIMEOUT_SECONDS", 60), send_time_limit() + 5))


def unstarted_claim_timeout() -> timedelta:
    """When a claimed row whose send never began goes back to the queue (its task was lost with the broker,
    or is still queued: it will find its token stale and do nothing). Safe at any value."""
    return timedelta(seconds=_setting("OUTBOX_UNSTARTED_RECLAIM_SECONDS", 30))


def on_time() -> timedelta:
    """A delivery sent later than this after it came due is shown as sent late."""
    return timedelta(seconds=_setting("OUTBOX_ON_TIME_SECONDS", 60))


def _not_expired(now: datetime) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now) | Q(manual=True)


def _clock(moment: datetime) -> str:
    return f"{timezone.localtime(moment, timezone.get_fixed_timezone(0)):%H:%M:%S} UTC"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
