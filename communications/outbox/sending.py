"""Send one claimed delivery and record its outcome exactly once (compare-and-set on the claim token,
retrying a database blip in-process)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from plans.closing import is_ended

from .. import channels
from ..models import Delivery, DeliveryStatus
from ..sources import still_relevant
from .limits import DB_ERRORS, ENDING_KINDS, _clock, _span, backoff, max_attempts, on_time

log = logging.getLogger(__name__)


def _persist(write: Callable[[], int]) -> int:
    """Run a recording write, retrying a database blip in-process: the outcome of a call that happened must
    not be lost to a restart (the task's own retry would only know that the call began)."""
    delays = [float(d) for d in getattr(settings, "OUTBOX_RECORD_RETRY_DELAYS", (0.5, 1, 2, 4))]
    for delay in [*delays, None]:
        try:
            return write()
        except DB_ERRORS:
            if delay is None:
                raise
            log.warning("outbox: database unavailable while recording an outcome; retrying in %s s", delay)
            connection.close()
            time.sleep(delay)
    return 0  # pragma: no cover - the loop returns or raises


def _cas(delivery_id: int, token: str, **fields: object) -> bool:
    fields.setdefault("updated_at", timezone.now())
    return bool(
        _persist(
            lambda: Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claim_token=token).update(
                **fields
            )
        )
    )


def _record_unknown(delivery_id: int, token: str, why: str, *, now: datetime | None = None) -> int:
    """Record that the receiver may or may not have this delivery; one retry with the same key if it is
    the first such attempt and the delivery still matters."""
    now = now or timezone.now()
    row = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claim_token=token).first()
    if row is None:
        return 0
    unknown = row.unknown_attempts + 1
    retry = unknown == 1 and (row.manual or row.expires_at is None or row.expires_at > now)
    if retry:
        note = f"Outcome unknown: {why}. Retrying once with the same key."
    elif unknown == 1:
        note = f"Outcome unknown: {why}. Not retried: it stopped mattering first."
    else:
        note = f"Outcome unknown: {why}, on the retry too; the receiver may have it (same key each time)."
    done = _cas(
        delivery_id,
        token,
        status=DeliveryStatus.UNKNOWN,
        unknown_attempts=unknown,
        retry_same_key=retry,
        attempts=row.attempts + 1,
        error=why[:2000],
        note=note[:300],
        claim_token="",
        next_attempt_at=now + backoff(row.attempts + 1),
        updated_at=now,
    )
    if done:
        log.warning("outbox: outcome of delivery %s unknown: %s", delivery_id, why)
    return int(done)


def _too_late(delivery: Delivery, now: datetime) -> bool:
    return not delivery.manual and delivery.expires_at is not None and delivery.expires_at <= now


def send_claimed(delivery_id: int, token: str) -> str:
    """Send one claimed delivery and record the outcome. Returns what happened (for logs and tests)."""
    from celery.exceptions import SoftTimeLimitExceeded

    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("plan")
        .filter(pk=delivery_id, status=DeliveryStatus.SENDING, claim_token=token)
        .first()
    )
    if delivery is None:
        return "stale"  # reclaimed, recorded or given back meanwhile: this claim is no longer the owner
    outcome = _settle_before_sending(delivery, token, now=now)
    if outcome is not None:
        return outcome
    started = timezone.now()
    if not _cas(delivery_id, token, attempt_started_at=started, claimed_at=started):
        return "stale"
    attempts = delivery.attempts + 1
    try:
        channels.send(delivery)
    except (channels.OutcomeUnknown, SoftTimeLimitExceeded) as exc:
        why = str(exc) if isinstance(exc, channels.OutcomeUnknown) else "the send ran past its time limit"
        return "unknown" if _record_unknown(delivery_id, token, why) else "stale"
    except channels.BlockedTarget as exc:  # not an http(s) URL, or a refused address: no retry helps
        error = str(exc)[:2000]
        if _cas(delivery_id, token, status=DeliveryStatus.FAILED, attempts=attempts, error=error, claim_token=""):
            _record_failure(delivery, error, attempts)
        return "failed"
    except Exception as exc:  # certainly not delivered (channels.ChannelError), or a bug in a sender
        wait = getattr(exc, "retry_after", None) if isinstance(exc, channels.ChannelError) else None
        return _record_send_error(delivery, token, str(exc)[:2000] or type(exc).__name__, attempts, wait=wait)
    return _record_sent(delivery, token, attempts)


def _settle_before_sending(delivery: Delivery, token: str, *, now: datetime) -> str | None:
    """The outcome for a claim that must not call the channel (a lost earlier run, too late, no longer
    relevant), recorded; None when the delivery should go out now."""
    delivery_id = delivery.pk
    if delivery.attempt_started_at is not None:
        # This claim's call began in an earlier run of this task (a worker lost mid-call, its message
        # redelivered; or the outcome could not be recorded): whether it went out is unknown.
        why = f"the send began at {_clock(delivery.attempt_started_at)} and its run was lost before recording"
        return "unknown" if _record_unknown(delivery_id, token, why, now=now) else "stale"
    if _too_late(delivery, now):
        assert delivery.expires_at is not None
        if delivery.unknown_attempts:
            _cas(
                delivery_id,
                token,
                status=DeliveryStatus.UNKNOWN,
                retry_same_key=False,
                claim_token="",
                note="Outcome unknown (the receiver may have it); not retried: it stopped mattering first.",
            )
            return "unknown"
        _cas(
            delivery_id,
            token,
            status=DeliveryStatus.LATE,
            claim_token="",
            note=f"Not sent: it stopped mattering at {_clock(delivery.expires_at)}, before it could go out.",
        )
        return "late"
    reason = still_relevant(delivery)
    if not reason and not delivery.manual and is_ended(delivery.plan.status) and not _ending_news(delivery):
        # made while the launch ran (a retry, a send queued at the moment it ended): it ended meanwhile
        reason = f"the launch is {delivery.plan.get_status_display().lower()}, nothing more is sent"
    if reason:
        if delivery.unknown_attempts:
            note = f"Outcome unknown (the receiver may have it); not retried: {reason}."
            _cas(
                delivery_id, token, status=DeliveryStatus.UNKNOWN, retry_same_key=False, note=note[:300], claim_token=""
            )
            return "unknown"
        _cas(delivery_id, token, status=DeliveryStatus.SKIPPED, note=f"Not sent: {reason}."[:300], claim_token="")
        return "skipped"
    return None


def _ending_news(delivery: Delivery) -> bool:
    """The news that the launch ended (a route's notice of its log up to its end, the email of an abort or a
    rollback: due.ending_specs): it still goes."""
    return delivery.source_kind in ENDING_KINDS


def _record_send_error(delivery: Delivery, token: str, error: str, attempts: int, *, wait: float | None = None) -> str:
    """The channel said it certainly did not deliver (or a sender broke): unknown if an earlier attempt
    may have gone through, failed after the last attempt, else back to pending with a backoff (or the
    receiver's ``Retry-After``, ``wait`` seconds, when that is longer)."""
    delivery_id = delivery.pk
    if delivery.unknown_attempts:  # the earlier attempt may have gone through: still unknown
        _cas(
            delivery_id,
            token,
            status=DeliveryStatus.UNKNOWN,
            attempts=attempts,
            error=error,
            retry_same_key=False,
            claim_token="",
            note="Outcome unknown: an earlier attempt may have reached the receiver; its retry failed.",
        )
        return "unknown"
    if attempts >= max_attempts():
        done = _cas(delivery_id, token, status=DeliveryStatus.FAILED, attempts=attempts, error=error, claim_token="")
        if done:
            _record_failure(delivery, error, attempts)
        return "failed"
    _cas(
        delivery_id,
        token,
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        error=error,
        claim_token="",
        next_attempt_at=timezone.now() + max(backoff(attempts), timedelta(seconds=wait or 0)),
    )
    return "retry"


def _record_sent(delivery: Delivery, token: str, attempts: int) -> str:
    sent_at = timezone.now()
    note = delivery.note
    if delivery.unknown_attempts:
        note = "Sent on the retry; an earlier attempt's outcome was unknown, so the receiver may have it twice "
        note += "(same key)."
    elif not delivery.manual and sent_at - delivery.due_at > on_time():
        note = f"Sent {_span(sent_at - delivery.due_at)} after it came due (held up)."
    ok = _cas(
        delivery.pk, token, status=DeliveryStatus.SENT, attempts=attempts, sent_at=sent_at, error="", note=note[:300]
    )
    return "sent" if ok else "stale"


def _record_failure(delivery: Delivery, error: str, attempts: int) -> None:
    from plans.services import event_record

    def write() -> int:
        with transaction.atomic():
            event_record(
                delivery.plan,
                kind="comms.failed",
                summary=f"Delivery failed after {attempts} attempts: {delivery.label} → {delivery.recipient_label}",
                data={"delivery": delivery.pk, "error": error[:300]},
            )
        return 1

    _persist(write)
