"""Is anything going out? The outbox records when each tick finishes (``OutboxBeat``); a live plan's pages say
so when the ticks have stopped (the worker killed, beat not started, a worker not reading the ``outbox``
queue) or when sends due minutes ago still wait (the sending worker, on the default queue, is down). A killed
worker used to leave "Send now" rows at "Sending" with nothing said anywhere."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from plans.models import Plan
from plans.services import LIVE_STATES

from .models import Delivery, DeliveryStatus, OutboxBeat
from .outbox.claims import TICK

#: A send due this long ago and not yet sent (nor failed, late, skipped) means the senders are not working.
STUCK_AFTER = timedelta(minutes=3)


def stale_after() -> timedelta:
    """How long without a finished tick before the pages say the outbox has stopped: four ticks, at least 90 s."""
    return max(timedelta(seconds=90), 4 * timedelta(seconds=float(getattr(settings, "OUTBOX_TICK_SECONDS", 15))))


def outbox_warning(plan: Plan, *, now: datetime | None = None) -> tuple[str, str] | None:
    """What a coordinator must know about the outbox, for a live plan: a headline and what to do (None when all
    is well)."""
    if plan.status not in LIVE_STATES:
        return None
    now = now or timezone.now()
    last = OutboxBeat.objects.filter(name=TICK).values_list("at", flat=True).first()
    if last is None:
        return (
            "Nothing is being sent: the outbox has never run.",
            "Reminders and messages go out only while a Celery worker with beat runs and reads the outbox queue "
            "(make run starts one; see the README).",
        )
    if now - last > stale_after():
        ago = int((now - last).total_seconds() // 60)
        return (
            f"Nothing is being sent: the outbox last ran at {plan.local(last):%H:%M %Z} ({ago} min ago).",
            "Reminders and messages wait until the Celery worker and beat (queue outbox) run again; what fell due "
            "meanwhile goes out then, or is marked late.",
        )
    stuck = Delivery.objects.filter(
        plan=plan, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], due_at__lt=now - STUCK_AFTER
    ).count()
    if stuck:
        minutes = int(STUCK_AFTER.total_seconds() // 60)
        sends = f"{stuck} sends due more than {minutes} minutes ago still wait"
        return (
            f"{sends}." if stuck != 1 else f"1 send due more than {minutes} minutes ago still waits.",
            "The worker that sends (the default queue) may be down.",
        )
    return None
