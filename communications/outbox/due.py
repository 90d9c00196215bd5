"""Materialise: turn what the sources say is due into delivery rows (idempotently, under the plan's lock),
and, when a hold, a re-baseline or an early launch moves T-0, drop the unsent ones and make them again."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from django.utils import timezone

from launchcontrol.dates import moment_text
from plans.closing import ENDED_STATES, is_ended
from plans.models import Event, Plan
from plans.selectors import open_hold, state_since
from plans.validators import T0_MAX, T0_MIN

from ..models import Delivery, DeliveryStatus, OutboxBeat
from ..sources import DeliverySpec, specs_for
from ..templating import MessageTemplateError
from .digest import group_rows
from .limits import ACTIVE_STATES, ENDING_KINDS, TICK, lookback, tick_time_limit

log = logging.getLogger(__name__)


def _fmt(plan: Plan, moment: datetime) -> str:
    return moment_text(plan.local(moment), weekday=False)


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


def ending_specs(plan: Plan, specs: list[DeliverySpec]) -> list[DeliverySpec]:
    """Of an ended launch's specs, the notices of its log up to the moment it ended: the news that it ended
    goes out, as every state change does, and nothing after it (one query: when it ended)."""
    ended_at = state_since(plan)
    if ended_at is None:
        return []
    return [s for s in specs if s.source_kind in ENDING_KINDS and s.due_at <= ended_at]


def materialise_plan(plan_id: int, *, now: datetime) -> int:
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None or (plan.status not in ACTIVE_STATES and not is_ended(plan.status)):
            return 0
        start = max(now - lookback(), plan.created_at)
        specs = specs_for(plan, start, now)
        if is_ended(plan.status):
            specs = ending_specs(plan, specs)
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
        rows = group_rows(plan, [row_for(plan, s, now=now) for s in specs if s.key not in existing])
        if rows:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            _record_compose_failures(plan, rows)
        return len(rows)


def _record_compose_failures(plan: Plan, rows: list[Delivery]) -> None:
    """One activity-log event per source whose text could not be composed in this tick."""
    from plans.services import event_record

    failed = {(r.source_kind, r.source_id): r for r in rows if r.error.startswith(COMPOSE_FAILED)}
    for row in failed.values():
        event_record(
            plan,
            kind="comms.failed",
            summary=f"Could not compose {row.label}: {row.error.removeprefix(COMPOSE_FAILED)}"[:300],
            data={"source_kind": row.source_kind, "source_id": row.source_id, "error": row.error[:300]},
        )


def _just_ended(now: datetime) -> Q:
    """The ended launches the tick still visits, for the news that they ended (``ending_specs``): those whose
    last change of state came after the last finished tick began (a tick runs at most its time limit), within
    the look-back. A tick or two after it, no more: an ended launch is not worked out again every tick."""
    last = OutboxBeat.objects.filter(name=TICK).values_list("at", flat=True).first()
    since = now - lookback() if last is None else max(now - lookback(), last - tick_time_limit())
    ended = Event.objects.filter(plan=OuterRef("pk"), kind="plan.state", at__gt=since)
    return Q(Exists(ended), status__in=ENDED_STATES)


def materialise(*, now: datetime | None = None) -> int:
    """Materialise every live plan; one that fails is logged and rolled back, and the others go on."""
    now = now or timezone.now()
    # A plan whose T-0 lies outside the supported range (data saved before the bound) sends nothing: its
    # times cannot be computed, and it must not stop the tick for every other plan.
    in_range = Plan.objects.filter(Q(status__in=ACTIVE_STATES) | _just_ended(now), t0__gte=T0_MIN, t0__lt=T0_MAX)
    ids = list(in_range.values_list("pk", flat=True))
    created = 0
    for pk in ids:
        try:
            created += materialise_plan(pk, now=now)
        except Exception:
            log.exception("outbox: could not materialise plan %s; the other plans go on", pk)
    return created


# --- Holds and re-baselines move what is not sent yet ------------------------------------------------


def discard_unsent(plan_id: int) -> int:
    """Drop the rows that have not gone out and were made by the tick; :func:`rematerialise` makes them again
    at their new due moments (the ones that did not move come back with the same key)."""
    qs = Delivery.objects.filter(plan_id=plan_id, manual=False, attempts=0).filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.AWAITING_APPROVAL)
    )
    n, _ = qs.delete()
    return n


def rematerialise(plan_id: int) -> int:
    """After T-0 moved: drop what was not sent and make at once, in the mover's transaction, what is due at the
    new moments, as the next tick would. Until then the communications page (which lists the sources' sends
    after now) showed nothing of it: after an early launch, neither what the move brought due (the go-live
    notice) nor what was waiting for approval. Should making them fail, it is logged and the tick makes them."""
    discard_unsent(plan_id)
    try:
        return materialise_plan(plan_id, now=timezone.now())  # in a savepoint of its own
    except Exception:
        log.exception("outbox: could not materialise plan %s after T-0 moved; the next tick will", plan_id)
        return 0


def _on_plan_saved(sender: type[Plan], instance: Plan, update_fields: frozenset[str] | None, **kwargs: object) -> None:
    if update_fields is not None and "t0" in update_fields:
        rematerialise(instance.pk)


def connect_signals() -> None:
    post_save.connect(_on_plan_saved, sender=Plan, dispatch_uid="communications.discard_unsent_on_t0")
