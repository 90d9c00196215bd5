"""The delivery engine: materialise what came due, claim it, send it, record the outcome.

``tick()`` is what the beat runs every OUTBOX_TICK_SECONDS:

1. **materialise**: for each live plan, ask every registered source for the deliveries due in
   ``(now - lookback, now]`` and insert the missing rows with ``bulk_create(ignore_conflicts=True)`` on
   the unique key, under the plan's row lock (so a hold end or re-baseline cannot interleave). What is
   already too late is inserted as ``late``, what needs approval as ``awaiting_approval``. During a hold
   nothing anchored after the hold's start is created: it slips when the hold ends.
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
across installs and restored backups, so a receiver that deduplicates drops the repeat.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from plans.models import Hold, Plan, PlanStatus
from plans.validators import T0_MAX, T0_MIN

from . import channels
from .models import Delivery, DeliveryStatus
from .sources import DeliverySpec, specs_for, still_relevant
from .templating import MessageTemplateError

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


def _fmt(plan: Plan, moment: datetime) -> str:
    return f"{plan.local(moment):%d %b %H:%M %Z}"


#: The error of a delivery whose text could not be composed (a broken message template): it never went out.
COMPOSE_FAILED = "Could not compose this message: "


def row_for(plan: Plan, spec: DeliverySpec, *, now: datetime, status: str | None = None) -> Delivery:
    """The outbox row for a spec. If its text cannot be composed (a broken template, a failing source), the
    row is created ``failed`` with the error, so it shows on the communications page and nothing else stops."""
    note = error = ""
    try:
        subject, body = spec.render()
    except MessageTemplateError as exc:  # the author's mistake: they see it
        log.warning("outbox: could not compose %s for plan %s: %s", spec.label, plan.pk, exc)
        subject, body = spec.label, ""
        error = f"{COMPOSE_FAILED}{exc}"[:2000]
    except Exception:  # ours: logged, and the page says no more than that
        log.exception("outbox: could not compose %s for plan %s", spec.label, plan.pk)
        subject, body = spec.label, ""
        error = f"{COMPOSE_FAILED}an internal error (in the server log)"
    if error and status != DeliveryStatus.SKIPPED and not spec.skip_reason:
        status = DeliveryStatus.FAILED
    if status is None:
        if spec.skip_reason:
            status, note = DeliveryStatus.SKIPPED, spec.skip_reason[:300]
        elif spec.expires_at is not None and spec.expires_at < now:
            status = DeliveryStatus.LATE
            note = f"Came due {_fmt(plan, spec.due_at)}; only reached at {_fmt(plan, now)}, too late to matter."
        elif spec.requires_approval:
            status = DeliveryStatus.AWAITING_APPROVAL
        else:
            status = DeliveryStatus.PENDING
    return Delivery(
        plan=plan,
        source_kind=spec.source_kind,
        source_id=spec.source_id,
        recipient=spec.recipient,
        channel_kind=spec.channel_kind,
        due_at=spec.due_at,
        channel_id=spec.channel_id,
        address=spec.address,
        recipient_label=spec.recipient_label[:200],
        label=spec.label[:300],
        audience=spec.audience,
        subject=subject[:300],
        body=body,
        status=status,
        note=note,
        error=error,
        expires_at=spec.expires_at,
        next_attempt_at=now,
    )


def open_hold(plan: Plan) -> Hold | None:
    if plan.status != PlanStatus.HOLD:
        return None
    return Hold.objects.filter(plan=plan, ended_at__isnull=True).first()


def materialise_plan(plan_id: int, *, now: datetime) -> int:
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id, status__in=ACTIVE_STATES).first()
        if plan is None:
            return 0
        start = max(now - lookback(), plan.created_at)
        specs = specs_for(plan, start, now)
        hold = open_hold(plan)
        if hold is not None:
            specs = [s for s in specs if (s.anchor or s.due_at) < hold.started_at]
        if not specs:
            return 0
        existing = set(
            Delivery.objects.filter(plan=plan, due_at__gt=start, due_at__lte=now).values_list(
                "source_kind", "source_id", "recipient", "channel_kind", "due_at"
            )
        )
        rows = [row_for(plan, s, now=now) for s in specs if s.key not in existing]
        if rows:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            _record_compose_failures(plan, rows)
        return len(rows)


def _record_compose_failures(plan: Plan, rows: list[Delivery]) -> None:
    """One activity-log event per source whose text could not be composed in this tick."""
    from plans.services import record

    failed = {(r.source_kind, r.source_id): r for r in rows if r.error.startswith(COMPOSE_FAILED)}
    for row in failed.values():
        record(
            plan,
            kind="comms.failed",
            summary=f"Could not compose {row.label}: {row.error.removeprefix(COMPOSE_FAILED)}"[:300],
            data={"source_kind": row.source_kind, "source_id": row.source_id, "error": row.error[:300]},
        )


def materialise(*, now: datetime | None = None) -> int:
    """Materialise every live plan; one that fails is logged and rolled back, and the others go on."""
    now = now or timezone.now()
    # A plan whose T-0 lies outside the supported range (data saved before the bound) sends nothing: its
    # times cannot be computed, and it must not stop the tick for every other plan.
    in_range = Plan.objects.filter(status__in=ACTIVE_STATES, t0__gte=T0_MIN, t0__lt=T0_MAX)
    ids = list(in_range.values_list("pk", flat=True))
    created = 0
    for pk in ids:
        try:
            created += materialise_plan(pk, now=now)
        except Exception:
            log.exception("outbox: could not materialise plan %s; the other plans go on", pk)
    return created


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


def send_queue_waiting() -> int:
    """How many send tasks wait in the broker's send queue (0 when sending inline, or when the broker
    cannot say: then nothing is queued that could still run)."""
    if getattr(settings, "OUTBOX_SEND_INLINE", False) or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return 0
    from celery import current_app

    from .tasks import send_delivery

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
    from .tasks import send_delivery

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
    return {
        "created": created,
        "late": late,
        "reclaimed": requeued + unknown,
        "unknown": unknown,
        "claimed": len(ids),
        "dispatched": dispatched,
    }


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
    if reason:
        if delivery.unknown_attempts:
            note = f"Outcome unknown (the receiver may have it); not retried: {reason}."
            _cas(
                delivery_id, token, status=DeliveryStatus.UNKNOWN, retry_same_key=False, note=note[:300], claim_token=""
            )
            return "unknown"
        _cas(delivery_id, token, status=DeliveryStatus.SKIPPED, note=f"Not sent: {reason}."[:300], claim_token="")
        return "skipped"
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
        error = str(exc)[:2000] or type(exc).__name__
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
            done = _cas(
                delivery_id, token, status=DeliveryStatus.FAILED, attempts=attempts, error=error, claim_token=""
            )
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
            next_attempt_at=timezone.now() + backoff(attempts),
        )
        return "retry"
    sent_at = timezone.now()
    note = delivery.note
    if delivery.unknown_attempts:
        note = "Sent on the retry; an earlier attempt's outcome was unknown, so the receiver may have it twice "
        note += "(same key)."
    elif not delivery.manual and sent_at - delivery.due_at > on_time():
        note = f"Sent {_span(sent_at - delivery.due_at)} after it came due (held up)."
    ok = _cas(
        delivery_id, token, status=DeliveryStatus.SENT, attempts=attempts, sent_at=sent_at, error="", note=note[:300]
    )
    return "sent" if ok else "stale"


def _record_failure(delivery: Delivery, error: str, attempts: int) -> None:
    from plans.services import record

    def write() -> int:
        with transaction.atomic():
            record(
                delivery.plan,
                kind="comms.failed",
                summary=f"Delivery failed after {attempts} attempts: {delivery.label} → {delivery.recipient_label}",
                data={"delivery": delivery.pk, "error": error[:300]},
            )
        return 1

    _persist(write)


# --- Holds and re-baselines move what is not sent yet ------------------------------------------------


def discard_unsent(plan_id: int) -> int:
    """Drop the rows that have not gone out and were made by the tick; it re-creates them at their new
    due moments (the ones that did not move come back with the same key)."""
    qs = Delivery.objects.filter(plan_id=plan_id, manual=False, attempts=0).filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.AWAITING_APPROVAL)
    )
    n, _ = qs.delete()
    return n


def _on_plan_saved(sender: type[Plan], instance: Plan, update_fields: frozenset[str] | None, **kwargs: object) -> None:
    if update_fields is not None and "t0" in update_fields:
        discard_unsent(instance.pk)


def connect_signals() -> None:
    post_save.connect(_on_plan_saved, sender=Plan, dispatch_uid="communications.discard_unsent_on_t0")
