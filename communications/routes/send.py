"""Sending a route's delivery: read the route's secret now (never stored on the delivery), post the stored
document to the vendor through the guarded webhook client (communications.channels.post_json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..channels import SENDERS, BlockedTarget, ChannelError, post_json
from ..models import ChannelKind, DeliveryStatus, Route
from .rules import PAGERDUTY_EVENTS_URL, SecretMissing, env_key_problem, resolve
from .source import TRIGGER_VARIANT

if TYPE_CHECKING:
    from ..models import Delivery

#: A page's trigger still on its way: its acknowledge or resolve waits (retried by the outbox's backoff).
IN_FLIGHT = {DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.AWAITING_APPROVAL}


def route_of(delivery: Delivery) -> Route:
    parts = delivery.recipient.split(":")
    route = Route.objects.filter(pk=int(parts[1]), plan_id=delivery.plan_id).first() if len(parts) > 1 else None
    if route is None:
        raise BlockedTarget("the route was deleted")
    return route


def _trigger_first(delivery: Delivery) -> None:
    """An acknowledge or resolve must reach PagerDuty after its trigger, or PagerDuty drops it."""
    from ..models import Delivery as Row

    rows = Row.objects.filter(
        plan_id=delivery.plan_id,
        source_kind=delivery.source_kind,
        source_id=delivery.source_id,
        channel_kind=ChannelKind.PAGERDUTY,
        recipient__startswith=":".join(delivery.recipient.split(":")[:2]) + ":",
        due_at__lte=delivery.due_at,
    ).values_list("recipient", "status", "retry_same_key")
    for recipient, status, retry in rows:
        if TRIGGER_VARIANT.match(recipient.split(":")[2]) and (status in IN_FLIGHT or retry):
            raise ChannelError("waiting for the page's trigger to go out first")


def send_route(delivery: Delivery) -> None:
    route = route_of(delivery)
    document = json.loads(delivery.body)
    try:
        if route.kind == ChannelKind.PAGERDUTY:
            if document.get("event_action") != "trigger":
                _trigger_first(delivery)
            if why := env_key_problem(route.url, route.key):  # checked on save too; a row edited by hand
                raise BlockedTarget(f"{route.name}: {why}")
            url = resolve(delivery.plan, route.url) if route.url.strip() else PAGERDUTY_EVENTS_URL
            document = {"routing_key": resolve(delivery.plan, route.key), **document}
        else:
            url = resolve(delivery.plan, route.url)
    except SecretMissing as exc:
        raise ChannelError(f"{route.name}: {exc}") from exc
    post_json(url, document, key=str(delivery.idempotency_key))


for _kind in (ChannelKind.SLACK, ChannelKind.TEAMS, ChannelKind.PAGERDUTY):
    SENDERS[_kind] = send_route
