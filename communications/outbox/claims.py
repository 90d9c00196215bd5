"""Reclaim, expire, claim and dispatch: the tick's bookkeeping of who sends what, and the tick itself."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Delivery, DeliveryStatus, OutboxBeat
from .due import materialise
from .limits import (
    CLAIMABLE,
    TICK,
    _clock,
    _not_expired,
    _setting,
    started_claim_timeout,
    unstarted_claim_timeout,
)
from .sending import _record_unknown, send_claimed

log = logging.getLogger(__name__)


def send_queue_waiting() -> int:
    """How many send tasks wait in the broker's send queue (0 when sending inline, or when the broker
    cannot say: then nothing is queued that could still run)."""
    if getattr(settings, "OUTBOX_SEND_INLINE", False) or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return 0
    from celery import current_app

    from ..tasks import send_delivery

    queue = getattr(send_delivery, "queue", None) or current_app.conf.task_default_queue
    try:
        with current_app.connection_for_write() as conn:
            _, waiting, _ = conn.default_channel.queue_declare(queue=queue, passive=True)
    except Exception:  # no such queue yet, or the broker is down (then nothing can be queued either)
        return 0
    return int(waiting or 0)


def reclaim(*, now: datetime) -> tuple[int, int]:
    """Hand out again the claims whose send never began; record as unknown the ones lost mid-call.
    Returns (requeued, unknown).

    A claim that never began is handed out again only once the send queue is empty (its task, if it still
    exists, is then running or gone: a queued duplicate could only find its token stale). While the queue
    is backed up, re-queuing would pile a new task behind every old one, faster than a busy worker drains
    them; only after three claim timeouts is such a claim handed out regardless."""
    cutoff = now - unstarted_claim_timeout()
    unstarted = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, attempt_started_at__isnull=True, claimed_at__lt=cutoff
    )
    if unstarted.exists() and send_queue_waiting():
        unstarted = unstarted.filter(claimed_at__lt=now - 3 * started_claim_timeout())
    requeued = unstarted.filter(unknown_attempts=0).update(
        status=DeliveryStatus.PENDING, claim_token="", next_attempt_at=now, updated_at=now
    )
    requeued += unstarted.filter(unknown_attempts__gt=0).update(
        status=DeliveryStatus.UNKNOWN, retry_same_key=True, claim_token="", next_attempt_at=now, updated_at=now
    )
    lost = list(
        Delivery.objects.filter(
            status=DeliveryStatus.SENDING, attempt_started_at__lt=now - started_claim_timeout()
        ).values_list("pk", "claim_token", "attempt_started_at")
    )
    unknown = 0
    for pk, token, started in lost:
        began = _clock(started) if started else "an unknown time"
        why = f"the send began at {began} and no outcome came back (the worker was lost mid-call)"
        unknown += _record_unknown(pk, token, why, now=now)
    if requeued or unknown:
        log.warning("outbox: requeued %d claims that never started; %d sends lost mid-call", requeued, unknown)
    return requeued, unknown


def expire(*, now: datetime) -> tuple[int, int]:
    """Rows nobody tried to send before their expiry become late (not sent); an unknown outcome whose retry
    would come too late stays unknown, with no retry. Returns (late, unknown no longer retried)."""
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING, expires_at__lt=now, manual=False)
    late = waiting.filter(attempts=0).update(
        status=DeliveryStatus.LATE, note="Not sent before it stopped mattering.", updated_at=now
    )
    late += waiting.filter(attempts__gt=0).update(
        status=DeliveryStatus.LATE,
        note="Not sent: every attempt failed (see the error) until it stopped mattering.",
        updated_at=now,
    )
    given_up = Delivery.objects.filter(
        status=DeliveryStatus.UNKNOWN, retry_same_key=True, expires_at__lt=now, manual=False
    ).update(
        retry_same_key=False,
        note="Outcome unknown (the receiver may have it); not retried: it stopped mattering first.",
        updated_at=now,
    )
    return late, given_up


def expire_and_reclaim(*, now: datetime) -> tuple[int, int]:
    """Reclaim first (a reclaimed row may be past its expiry), then expire: nothing expired is claimed."""
    requeued, unknown = reclaim(now=now)
    late, _ = expire(now=now)
    return late, requeued + unknown


def claim(*, now: datetime, limit: int | None = None, only: int | None = None) -> tuple[list[int], str]:
    """Claim due, unexpired, claimable rows for this caller: returns their ids and the claim token."""
    token = uuid.uuid4().hex
    limit = limit or int(_setting("OUTBOX_BATCH", 200))
    with transaction.atomic():
        qs = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(CLAIMABLE, next_attempt_at__lte=now)
            .filter(_not_expired(now))
        )
        if only is not None:
            qs = qs.filter(pk=only)
        ids = list(qs.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(CLAIMABLE, pk__in=ids).update(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                claimed_at=now,
                attempt_started_at=None,
                retry_same_key=False,
                updated_at=now,
            )
    claimed = list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return claimed, token


def release(ids: list[int], token: str) -> int:
    """Give back claimed rows whose task could not be queued (broker down): the next tick claims them."""
    if not ids:
        return 0
    now = timezone.now()
    mine = Delivery.objects.filter(
        pk__in=ids, status=DeliveryStatus.SENDING, claim_token=token, attempt_started_at__isnull=True
    )
    n = mine.filter(unknown_attempts=0).update(status=DeliveryStatus.PENDING, claim_token="", updated_at=now)
    n += mine.filter(unknown_attempts__gt=0).update(
        status=DeliveryStatus.UNKNOWN, retry_same_key=True, claim_token="", updated_at=now
    )
    return n


def enqueue(delivery_id: int, token: str) -> None:
    """One send task per claimed row. OUTBOX_SEND_INLINE=True sends in-process instead (tests, scripts).

    Publishing retries briefly, so a stopped broker costs the tick seconds, not minutes. The task has no
    expiry: a worker that starts late still sends (a task whose claim was handed out again meanwhile finds
    its token stale and does nothing)."""
    if getattr(settings, "OUTBOX_SEND_INLINE", False):
        send_claimed(delivery_id, token)
        return
    from ..tasks import send_delivery

    send_delivery.apply_async(
        (delivery_id, token),
        retry=True,
        retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    )


Dispatch = Callable[[int, str], object]


def dispatch_all(ids: list[int], token: str, dispatch: Dispatch | None = None) -> int:
    dispatch = dispatch or enqueue
    sent = 0
    for pk in ids:
        try:
            dispatch(pk, token)
            sent += 1
        except Exception as exc:  # broker down: give the rest back, the next tick claims them again
            back = release(ids[sent:], token)
            log.warning(
                "outbox: could not queue delivery %s (%s: %s); %d claims given back",
                pk,
                type(exc).__name__,
                exc,
                back,
            )
            break
    return sent


def tick(*, now: datetime | None = None, dispatch: Dispatch | None = None) -> dict[str, int]:
    now = now or timezone.now()
    created = materialise(now=now)
    requeued, unknown = reclaim(now=now)  # before expiring: a reclaimed row may be past its expiry
    late, _ = expire(now=now)
    ids, token = claim(now=now)
    dispatched = dispatch_all(ids, token, dispatch)
    OutboxBeat.objects.update_or_create(name=TICK, defaults={"at": timezone.now()})  # communications.health
    return {
        "created": created,
        "late": late,
        "reclaimed": requeued + unknown,
        "unknown": unknown,
        "claimed": len(ids),
        "dispatched": dispatched,
    }
