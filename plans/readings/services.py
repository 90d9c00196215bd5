"""Withdrawing a metric reading typed wrong ("50" for an error rate of 0.05 %): gone from the metrics page,
the board, the criteria and the review, as if never recorded, with the activity log keeping what it was, who
recorded and who withdrew it, and why. The metric's rollback triggers are judged again at once, so an alarm
the typo raised clears (and its clear goes wherever the alarm went). The person who recorded it, or the
coordinator (who also withdraws what a monitoring push recorded), may withdraw a reading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from launchcontrol.dates import moment_text

from ..metrics import can_record
from ..models import MetricReading, SuccessMetric
from ..numbers import format_quantity
from ..permissions import can_coordinate
from ..services import event_record, triggers_evaluate
from ..validators import clean_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REASON_MAX = 200


def withdrawable(reading: MetricReading, user: User, *, coordinator: bool, recorder: bool) -> bool:
    """:func:`can_withdraw` from what the caller knows of ``user`` in the plan (``coordinator``: may coordinate
    it; ``recorder``: may record readings in it): a page deciding for many readings asks those once."""
    return coordinator or (recorder and reading.recorded_by_id is not None and reading.recorded_by_id == user.pk)


def can_withdraw(user: User, reading: MetricReading) -> bool:
    """The coordinator, or the person who recorded the reading while they still hold a role in the launch."""
    plan = reading.metric.plan
    coordinator = can_coordinate(user, plan)
    return withdrawable(reading, user, coordinator=coordinator, recorder=coordinator or can_record(user, plan))


def reading_withdraw(reading: MetricReading, *, by: User, reason: str) -> bool:
    """Withdraw ``reading`` (see the module). Returns False when it was already withdrawn (a second click, or
    two people at once): nothing changes then."""
    metric, plan = reading.metric, reading.metric.plan
    if not can_withdraw(by, reading):
        raise PermissionDenied("Only the person who recorded a reading, or the launch's coordinator, may withdraw it.")
    why = clean_text(reason, max_length=REASON_MAX, field="Reason")
    if not why:
        raise ValidationError("Say why the reading is withdrawn (for example “typo: meant 0.05”).")
    now = timezone.now()
    with transaction.atomic():
        SuccessMetric.objects.select_for_update().filter(pk=metric.pk).first()  # one withdrawal at a time
        deleted, _ = MetricReading.objects.filter(pk=reading.pk).delete()
        if not deleted:
            return False
        who = reading.recorded_by
        recorded = (who.get_full_name() or who.get_username()) if who is not None else "a monitoring push"
        value = format_quantity(reading.value, metric.unit)
        at = moment_text(plan.local(reading.recorded_at))
        event_record(
            plan,
            kind="metric.reading_withdrawn",
            actor=by,
            summary=f"{metric.name}: reading of {value} ({at}, by {recorded}) withdrawn: {why}",
            data={
                "reading": reading.pk,
                "metric": metric.pk,
                "value": str(reading.value),
                "recorded_at": reading.recorded_at.isoformat(),
                "recorded_by": reading.recorded_by_id,
                "reason": why,
            },
        )
        triggers_evaluate(metric, now=now, cleared=f"cleared (the reading of {value} that crossed it was withdrawn)")
    return True
