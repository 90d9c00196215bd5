"""Success metrics: recording readings and judging rollback triggers against them.

A metric-bound rollback trigger (``error rate > 1 % for 10 min``) is *breaching* while the latest
readings cross its threshold, and *in breach* (an alarm: roll back) once the uninterrupted run of
crossing readings has lasted ``sustained_for`` (no duration: at once). A reading back inside the
threshold ends the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DecimalField
from django.utils import timezone

from .models import MetricReading, RollbackTrigger, SuccessMetric, compare
from .permissions import can_coordinate
from .services import record
from .validators import check_number

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

AUTO_REASON = "Automatic: "


def can_record(user, plan) -> bool:
    """Role holders of the plan and its coordinator may record readings."""
    from roles.permissions import holds_any_role

    return can_coordinate(user, plan) or holds_any_role(user, plan.pk)


@dataclass(frozen=True)
class TriggerState:
    trigger: RollbackTrigger
    crossing_since: datetime | None  # start of the current run of readings that cross the threshold
    in_breach: bool  # the run has lasted sustained_for (or the trigger was raised by hand)
    latest: Decimal | None

    @property
    def breaching(self) -> bool:
        return self.crossing_since is not None

    @property
    def alarm_at(self) -> datetime | None:
        """When the current run of crossing readings becomes an alarm (while breaching)."""
        if self.crossing_since is None:
            return None
        return self.crossing_since + (self.trigger.sustained_for or timedelta(0))

    def remaining(self, now: datetime) -> timedelta | None:
        """How long the run must still last before the alarm, while breaching but not yet in breach."""
        if self.crossing_since is None or self.in_breach:
            return None
        return self.crossing_since + (self.trigger.sustained_for or timedelta(0)) - now


def trigger_state(
    trigger: RollbackTrigger, readings: Iterable[MetricReading], *, now: datetime | None = None
) -> TriggerState:
    """Judge one trigger. ``readings`` are its metric's readings, newest first (any window that
    reaches back past ``sustained_for`` is enough)."""
    now = now or timezone.now()
    manual = trigger.raised_at is not None and not trigger.raised_reason.startswith(AUTO_REASON)
    if trigger.metric_id is None or trigger.threshold is None or not trigger.comparator:
        return TriggerState(trigger, None, manual, None)
    since: datetime | None = None
    latest: Decimal | None = None
    for reading in readings:
        if latest is None:
            latest = reading.value
        if not compare(float(reading.value), trigger.comparator, float(trigger.threshold)):
            break
        since = reading.recorded_at
    sustained = trigger.sustained_for or timedelta(0)
    in_breach = manual or (since is not None and now - since >= sustained)
    return TriggerState(trigger, since, in_breach, latest)


def record_reading(
    metric: SuccessMetric, *, value: Decimal | float | str, by: User, at: datetime | None = None
) -> MetricReading:
    """Record a metric reading, then judge the metric's rollback triggers: one whose crossing has
    lasted its ``sustained_for`` is raised (an alarm on the board and an event); an automatically
    raised one clears when a reading comes back inside its threshold."""
    plan = metric.plan
    if not can_record(by, plan):
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may record readings.")
    column = MetricReading._meta.get_field("value")
    assert isinstance(column, DecimalField)
    amount = check_number(value, max_digits=column.max_digits or 14, decimal_places=column.decimal_places or 0)
    now = timezone.now()
    with transaction.atomic():
        reading = MetricReading.objects.create(metric=metric, value=amount, recorded_at=at or now, recorded_by=by)
        verdict = metric.meets(float(amount))
        record(
            plan,
            kind="metric.reading",
            actor=by,
            summary=f"{metric.name}: {amount.normalize():f}{metric.unit}"
            + ("" if verdict is None else (" (on target)" if verdict else " (OFF TARGET)")),
            data={"metric": metric.pk, "value": str(amount), "meets": verdict},
        )
        evaluate_triggers(metric, now=now)
    return reading


def evaluate_triggers(metric: SuccessMetric, *, now: datetime | None = None) -> list[TriggerState]:
    """Raise or clear the metric's rollback triggers from its readings. Call inside a transaction."""
    now = now or timezone.now()
    triggers = list(RollbackTrigger.objects.select_for_update().filter(metric=metric))
    if not triggers:
        return []
    longest = max((t.sustained_for or timedelta(0) for t in triggers), default=timedelta(0))
    readings = _readings_for_window(metric, now=now, window=longest)
    states = []
    for trigger in triggers:
        state = trigger_state(trigger, readings, now=now)
        states.append(state)
        auto = trigger.raised_at is not None and trigger.raised_reason.startswith(AUTO_REASON)
        if state.in_breach and trigger.raised_at is None:
            trigger.raised_at = now
            trigger.raised_by = None
            threshold = f"{trigger.threshold.normalize():f}" if trigger.threshold is not None else ""
            trigger.raised_reason = f"{AUTO_REASON}{metric.name} {trigger.comparator} {threshold}"
            if trigger.sustained_for:
                trigger.raised_reason += f" for {trigger.sustained_for}"
            trigger.save(update_fields=["raised_at", "raised_by", "raised_reason"])
            record(
                metric.plan,
                kind="rollback.breach",
                summary=f"ROLLBACK TRIGGER IN BREACH: {trigger.description}",
                data={"trigger": trigger.pk, "metric": metric.pk},
            )
        elif auto and not state.breaching:
            trigger.raised_at, trigger.raised_reason = None, ""
            trigger.save(update_fields=["raised_at", "raised_reason"])
            record(
                metric.plan,
                kind="rollback.cleared",
                summary=f"Rollback trigger back within threshold: {trigger.description}",
                data={"trigger": trigger.pk, "metric": metric.pk},
            )
    return states


def _readings_for_window(metric: SuccessMetric, *, now: datetime, window: timedelta) -> list[MetricReading]:
    """Newest first: the readings inside the window plus the one just before it (the run's start may
    lie before the window)."""
    inside = list(metric.readings.filter(recorded_at__gte=now - window).order_by("-recorded_at", "-id"))
    before = metric.readings.filter(recorded_at__lt=now - window).order_by("-recorded_at", "-id")[:200]
    return inside + list(before)
