"""Rollback alarms as a source: when a metric's breach has lasted its trigger's window (or a person raises
a trigger), the people the plan names are told at once, through the outbox, once per firing.

Who is told: the primary and backup of the roles on the first rung of the plan's escalation matrix (who
the plan calls first), the plan's coordinator, and the internal channels (the email lists and chat
webhooks its staff messages go to). The moment is the alarm's own (``alarm_at``: the breach's start plus
the window), so the outbox tick makes it within one tick of the breach becoming an alarm, without waiting
for another reading. A firing's key holds that moment: a later breach (a new run) fires again; the same
one never twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from plans.numbers import format_quantity
from plans.offsets import format_duration

from ..models import Audience, Channel, ChannelKind
from .registry import (
    THE_PLAN,
    DeliverySpec,
    fixed,
    holder_email,
    news_anchor,
    register_relevance,
    register_source,
    roles_and_coordinator,
    tagged,
    when,
)

if TYPE_CHECKING:
    from plans.models import Plan, RollbackTrigger

    from ..models import Delivery


def firings(plan: Plan, start: datetime, end: datetime) -> Iterator[tuple[RollbackTrigger, datetime, str]]:
    """The triggers whose alarm fires in ``(start, end]``: (trigger, moment, what happened)."""
    from plans.metrics import AUTO_REASON, readings_for_window, trigger_state
    from plans.models import RollbackTrigger

    for trigger in RollbackTrigger.objects.filter(plan=plan).select_related("metric").order_by("order", "id"):
        manual = trigger.raised_at is not None and not trigger.raised_reason.startswith(AUTO_REASON)
        if manual and trigger.raised_at is not None and start < trigger.raised_at <= end:
            yield trigger, trigger.raised_at, f"{_raised_how(trigger)}: {trigger.raised_reason}"
            continue
        metric = trigger.metric
        if metric is None or trigger.threshold is None or not trigger.comparator:
            continue
        window = trigger.sustained_for or timedelta(0)
        state = trigger_state(trigger, readings_for_window(metric, now=end, window=window), now=end)
        at = state.alarm_at
        if state.in_breach and at is not None and start < at <= end:
            threshold = format_quantity(trigger.threshold, metric.unit)
            latest = format_quantity(state.latest, metric.unit)
            held = f" for {format_duration(window)}" if window else ""
            yield trigger, at, f"{metric.name} {trigger.comparator} {threshold}{held} (now {latest})"


def _raised_how(trigger: RollbackTrigger) -> str:
    """Who pulled a trigger: a person, an alert route, or a tool through the API (an API token's service
    identity); an alert route says so in the raise's event, whatever its reason reads."""
    from django.contrib.auth import get_user_model

    from plans.runbook.selectors import trigger_raised_via

    by = trigger.raised_by_id
    if by is None or not get_user_model().objects.filter(pk=by, api_token__isnull=False).exists():
        return "raised by hand"
    return "raised by an alert" if trigger_raised_via(trigger) == "alert" else "raised through the API"


def _recipients(plan: Plan) -> Iterator[tuple[Any, Any, str]]:
    """The first rung's roles' holders and the coordinator (who the plan calls first)."""
    from issues.selectors import escalation_levels

    levels = escalation_levels(plan, with_people=True)
    return roles_and_coordinator(plan, levels[0].roles.all() if levels else [])


def _internal_channels(plan: Plan) -> list[Channel]:
    return list(
        Channel.objects.filter(
            plan=plan,
            enabled=True,
            kind__in=[ChannelKind.EMAIL, ChannelKind.WEBHOOK],
            messages__audience__in=[Audience.STAFF, Audience.EXECUTIVES],
        )
        .exclude(target="")
        .distinct()
        .order_by("id")
    )


@register_source
def trigger_alarms(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    found = list(firings(plan, start, end))
    if not found:
        return
    board = f"{settings.SITE_URL}/plans/{plan.slug}/warroom/"
    people = list(_recipients(plan))
    channels = _internal_channels(plan)
    decide = _rollout_proposal(plan, end) or "Decide on the rollback now."
    for trigger, at, what in found:
        subject = tagged(plan.name, f"ROLLBACK ALARM: {trigger.description}")
        body = f"Rollback trigger in breach since {when(plan, at)}: {what}.\n\n{decide}\n\n{board}"
        common: dict[str, Any] = {
            "source_kind": "trigger.alarm",
            "source_id": trigger.pk,
            "due_at": at,
            "label": f"Rollback alarm: {trigger.description}",
            "anchor": news_anchor(plan),
            "expires_at": at + timedelta(hours=1),
            "render": fixed(subject, body),
        }
        for user, role, which in people:
            yield holder_email(user, role or THE_PLAN, which, **common)
        for channel in channels:
            yield DeliverySpec(
                recipient=f"channel:{channel.pk}",
                channel_kind=channel.kind,
                address=channel.target.strip(),
                channel_id=channel.pk,
                recipient_label=channel.name,
                audience=Audience.STAFF,
                **common,
            )


def _rollout_proposal(plan: Plan, now: datetime) -> str:
    """During a rollout stage, the alarm carries what the board proposes: back a stage, or the launch."""
    from plans.rollout.selectors import proposal_text, rollout_state

    return proposal_text(rollout_state(plan, now=now))


def _still_in_breach(delivery: Delivery) -> str | None:
    """Judged as the service that raised the alarm judges it (``plans.services.triggers_evaluate``): on every
    reading of the trigger's span and the one before it, leaving out a resolved alert's run."""
    from django.utils import timezone

    from plans.metrics import readings_for_window, trigger_state
    from plans.models import RollbackTrigger

    trigger = RollbackTrigger.objects.filter(pk=delivery.source_id).select_related("metric").first()
    if trigger is None:
        return "the trigger was deleted"
    if trigger.metric is None:
        return None if trigger.raised_at is not None else "the trigger was cleared"
    now = timezone.now()
    readings = readings_for_window(trigger.metric, now=now, window=trigger.sustained_for or timedelta(0))
    return None if trigger_state(trigger, readings, now=now).in_breach else "the breach has ended"


register_relevance("trigger.alarm", _still_in_breach)
