"""The delivery engine: materialise what came due, claim it, send it, record the outcome.

``tick()`` is what the beat runs every OUTBOX_TICK_SECONDS:

1. **materialise**: for each live plan, ask every registered source for the deliveries due in
   ``(now - lookback, now]`` and insert the missing rows with ``bulk_create(ignore_conflicts=True)`` on
   the unique key, under the plan's row lock (so a hold end or re-baseline cannot interleave). What is
   already too late is inserted as ``late``, what needs approval as ``awaiting_approval``. During a hold
   nothing anchored after the hold's start is created: it slips when the hold ends.
2. **expire / reclaim**: pending rows past their expiry become ``late``; rows stuck in ``sending`` longer
   than OUTBOX_CLAIM_TIMEOUT_SECONDS (a killed worker, a lost broker message) go back to ``pending``.
3. **claim**: ``select_for_update(skip_locked=True)`` on due pending rows, compare-and-set to
   ``sending`` with a fresh claim token; then one send task per row.

``send_claimed(id, token)`` (the Celery task's body) sends only while the row still carries its token,
and records ``sent`` / the error with a compare-and-set on that token: a delivery is *recorded* as sent
exactly once. The far side may, after a worker is killed between sending and recording, see the same
delivery twice; it carries the delivery id (webhook ``Idempotency-Key``, email ``Message-ID``, one status
post per delivery) so the receiver can drop the repeat.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from plans.models import Hold, Plan, PlanStatus

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
    return timedelta(seconds=_setting("OUTBOX_CLAIM_TIMEOUT_SECONDS", 120))


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
    ids = list(Plan.objects.filter(status__in=ACTIVE_STATES).values_list("pk", flat=True))
    created = 0
    for pk in ids:
        try:
            created += materialise_plan(pk, now=now)
        except Exception:
            log.exception("outbox: could not materialise plan %s; the other plans go on", pk)
    return created


def expire_and_reclaim(*, now: datetime) -> tuple[int, int]:
    late = Delivery.objects.filter(status=DeliveryStatus.PENDING, expires_at__lt=now, manual=False).update(
        status=DeliveryStatus.LATE, note="Not sent before it stopped mattering.", updated_at=now
    )
    reclaimed = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_timeout()).update(
        status=DeliveryStatus.PENDING, claim_token="", next_attempt_at=now, updated_at=now
    )
    if reclaimed:
        log.warning("outbox: reclaimed %d deliveries stuck in sending", reclaimed)
    return late, reclaimed


def claim(*, now: datetime, limit: int | None = None, only: int | None = None) -> tuple[list[int], str]:
    """Claim due pending rows for this caller: returns their ids and the claim token."""
    token = uuid.uuid4().hex
    limit = limit or int(_setting("OUTBOX_BATCH", 200))
    with transaction.atomic():
        qs = Delivery.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        if only is not None:
            qs = qs.filter(pk=only)
        ids = list(qs.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now, updated_at=now
            )
    claimed = list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return claimed, token


def enqueue(delivery_id: int, token: str) -> None:
    """One send task per claimed row. OUTBOX_SEND_INLINE=True sends in-process instead (tests, scripts)."""
    if getattr(settings, "OUTBOX_SEND_INLINE", False):
        send_claimed(delivery_id, token)
        return
    from .tasks import send_delivery

    send_delivery.delay(delivery_id, token)


Dispatch = Callable[[int, str], object]


def dispatch_all(ids: list[int], token: str, dispatch: Dispatch | None = None) -> int:
    dispatch = dispatch or enqueue
    sent = 0
    for pk in ids:
        try:
            dispatch(pk, token)
            sent += 1
        except Exception:  # broker down: the rows stay claimed and are reclaimed after the timeout
            log.exception("outbox: could not enqueue delivery %s; it will be reclaimed", pk)
            break
    return sent


def tick(*, now: datetime | None = None, dispatch: Dispatch | None = None) -> dict[str, int]:
    now = now or timezone.now()
    created = materialise(now=now)
    late, reclaimed = expire_and_reclaim(now=now)
    ids, token = claim(now=now)
    dispatched = dispatch_all(ids, token, dispatch)
    return {"created": created, "late": late, "reclaimed": reclaimed, "claimed": len(ids), "dispatched": dispatched}


def _cas(delivery_id: int, token: str, **fields: object) -> bool:
    fields.setdefault("updated_at", timezone.now())
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claim_token=token).update(**fields)
    )


def send_claimed(delivery_id: int, token: str) -> str:
    """Send one claimed delivery and record the outcome. Returns what happened (for logs and tests)."""
    now = timezone.now()
    if not _cas(delivery_id, token, claimed_at=now):  # heartbeat; also "is this claim still mine?"
        return "stale"
    delivery = Delivery.objects.select_related("plan").get(pk=delivery_id)
    reason = still_relevant(delivery)
    if reason:
        _cas(delivery_id, token, status=DeliveryStatus.SKIPPED, note=f"Not sent: {reason}."[:300], claim_token="")
        return "skipped"
    attempts = delivery.attempts + 1
    try:
        channels.send(delivery)
    except Exception as exc:
        error = str(exc)[:2000] or type(exc).__name__
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
    ok = _cas(delivery_id, token, status=DeliveryStatus.SENT, attempts=attempts, sent_at=timezone.now(), error="")
    return "sent" if ok else "stale"


def _record_failure(delivery: Delivery, error: str, attempts: int) -> None:
    from plans.services import record

    with transaction.atomic():
        record(
            delivery.plan,
            kind="comms.failed",
            summary=f"Delivery failed after {attempts} attempts: {delivery.label} → {delivery.recipient_label}",
            data={"delivery": delivery.pk, "error": error[:300]},
        )


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
