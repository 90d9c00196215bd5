"""The subscribers' deliveries, as an outbox source (communications.sources): every confirmed subscriber
gets each update of the page once, and a pending one its confirmation email.

The outbox calls :func:`subscriber_notices` with ``(now - lookback, now]`` on every tick and creates the
missing rows under its unique key (source kind, update id, ``subscriber:<id>``, channel, the update's
moment): however many beats run, one row per subscriber and update. Claims, retries, a worker killed
mid-send (an unknown outcome retried once with the same Message-ID or Idempotency-Key) are the outbox's.
A subscriber who unsubscribed (or was removed) before a delivery went out is skipped, with the reason.

Updates go out during a hold too (live news, anchored at the plan's creation). An update reaches the
subscribers confirmed by its moment; one older than the outbox's lookback (24 h) is not sent.

The launch window (the page's scheduled maintenance) is told by time alone: "in progress" when it opens,
"verifying" when it ends before the launch is done, "completed" when the launch is, at the moments the page
shows (``selectors.window``: T-0 slipped by every hold; ``maintenance_moments``). Those hang off the plan's
clock (anchored at their moment), so a hold defers them and a slip moves them; one already made for a
subscriber is not made again at a moved moment, nor an earlier one after a later one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from communications import channels
from communications.models import Audience, ChannelKind, Delivery, StatusPost
from communications.sources import DeliverySpec, register_relevance, register_source
from communications.sources.registry import fixed, news_anchor
from plans.models import PlanStatus

from . import notices, tokens
from .models import Component, ComponentChange, IncidentUpdate, Subscriber, SubscriberKind, SubscriberState
from .selectors import PublicState, maintenance_moments, public_state

if TYPE_CHECKING:
    from plans.models import Plan

KINDS = (notices.UPDATE, notices.POST, notices.COMPONENT, notices.MAINTENANCE)


def expiry() -> timedelta:
    """An update not delivered within this long is recorded late, not sent (old news)."""
    return timedelta(hours=float(getattr(settings, "STATUS_NOTIFY_EXPIRE_HOURS", 6)))


def events(plan: Plan, start: datetime, end: datetime) -> list[notices.Event]:
    """The page's updates in ``(start, end]``. A component change an incident update reports (same moment)
    is told to webhooks only: the update's email names it already."""
    updates = list(
        IncidentUpdate.objects.filter(
            incident__plan=plan, incident__published_at__isnull=False, created_at__gt=start, created_at__lte=end
        )
        .select_related("incident")
        .prefetch_related("incident__updates", "incident__components")
    )
    posts = list(StatusPost.objects.filter(plan=plan, published_at__gt=start, published_at__lte=end))
    changes = list(
        ComponentChange.objects.filter(component__plan=plan, at__gt=start, at__lte=end).select_related("component")
    )
    found = [notices.update_event(u) for u in updates] + [notices.post_event(p) for p in posts]
    told = {(a.get("code"), u.created_at) for u in updates for a in u.affected}
    for change in changes:
        event = notices.component_event(change)
        found.append(replace(event, webhooks_only=True) if (change.component.code, change.at) in told else event)
    found += maintenance_events(plan, start, end)
    return sorted(found, key=lambda e: (e.at, e.source_kind, e.source_id))


def maintenance_events(plan: Plan, start: datetime, end: datetime) -> list[notices.Event]:
    """The maintenance's moments in ``(start, end]``, where the public page puts them; none for a draft or a
    plan without a launch clock (the page shows no maintenance)."""
    if plan.clockless or plan.status == PlanStatus.DRAFT or not plan.pk:
        return []
    moments = maintenance_moments(plan)
    return [
        notices.maintenance_event(plan.pk, phase, moment, moments)
        for phase, moment in moments.items()
        if start < moment <= end
    ]


def _told(plan: Plan, found: list[notices.Event]) -> dict[tuple[int, str], set[datetime]]:
    """The moments of the window's notices already made, by (source id, recipient): one made before a slip
    is not made again at the moved moment."""
    told: dict[tuple[int, str], set[datetime]] = {}
    if any(e.source_kind == notices.MAINTENANCE for e in found):
        rows = Delivery.objects.filter(plan=plan, source_kind=notices.MAINTENANCE)
        for sid, who, at in rows.values_list("source_id", "recipient", "due_at"):
            told.setdefault((sid, who), set()).add(at)
    return told


def _superseded(told: dict[tuple[int, str], set[datetime]], event: notices.Event, sub: Subscriber) -> bool:
    """A maintenance moment after which a later one was told already (the launch was done early, then a
    later change of the plan moved its "done" moment past the window's end): never "verifying" after
    "completed"."""
    if event.source_kind != notices.MAINTENANCE:
        return False
    return any(sid > event.source_id and who == sub.recipient for sid, who in told)


def _spec(plan: Plan, sub: Subscriber, **kw: object) -> DeliverySpec:
    email = sub.kind == SubscriberKind.EMAIL
    fields: dict[str, object] = {
        "recipient": sub.recipient,
        "channel_kind": ChannelKind.EMAIL if email else ChannelKind.WEBHOOK,
        "address": sub.email if email else sub.url,
        "recipient_label": f"Status page subscriber ({sub.get_kind_display().lower()})",
        "audience": Audience.PUBLIC,
        "anchor": news_anchor(plan),
    }
    return DeliverySpec(**{**fields, **kw})  # type: ignore[arg-type]


@register_source
def subscriber_notices(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    if not plan.pk or start >= timezone.now():
        return  # nothing of the page is ever due ahead (the communications page asks for what is scheduled)
    subs = list(
        Subscriber.objects.filter(plan=plan)
        .exclude(state=SubscriberState.UNSUBSCRIBED)
        .prefetch_related(Prefetch("components", queryset=Component.objects.only("pk", "code", "name")))
    )
    if not subs:
        return
    url = tokens.page_url(plan.slug)
    for sub in subs:
        sent = sub.confirm_sent_at
        if sub.state == SubscriberState.PENDING and sent is not None and start < sent <= end:
            subject, body = notices.confirm_text(plan.name, sub, plan.slug)
            yield _spec(
                plan, sub, source_kind=notices.CONFIRM, source_id=sub.pk, due_at=sent,
                label="Status page: confirm a subscription", render=fixed(subject, body),
                channel_kind=ChannelKind.EMAIL, address=sub.email,
                recipient_label="Status page subscriber (confirming)",
                expires_at=sent + timedelta(hours=tokens.confirm_hours()),
            )  # fmt: skip
    confirmed = [s for s in subs if s.state == SubscriberState.CONFIRMED and s.confirmed_at is not None]
    found = events(plan, start, end) if confirmed else []
    state = cache(lambda: public_state(plan))  # read once, and only if a new row needs its text
    told = _told(plan, found)
    for sub in confirmed:
        chosen = {c.code for c in sub.components.all()}
        for event in found:
            if sub.confirmed_at > event.at or (event.webhooks_only and sub.kind == SubscriberKind.EMAIL):  # type: ignore[operator]
                continue
            if chosen and event.components and not chosen & event.components:
                continue  # about components this subscriber did not choose
            if told.get((event.source_id, sub.recipient), {event.at}) - {event.at} or _superseded(told, event, sub):
                continue  # the window's moment, told already before a slip moved it, or a later one told
            yield _spec(
                plan, sub, source_kind=event.source_kind, source_id=event.source_id, due_at=event.at,
                label=f"Status page: {event.title}"[:300], expires_at=event.at + expiry(),
                render=_render(plan, sub, event, state, url),
                **({"anchor": event.at} if event.source_kind == notices.MAINTENANCE else {}),
            )  # fmt: skip


def _render(plan: Plan, sub: Subscriber, event: notices.Event, state: object, url: str) -> notices.Render:
    def render() -> tuple[str, str]:
        current: PublicState = state()  # type: ignore[operator]
        text, part = event.build(current, url)
        subject = f"[{notices.one_line(plan.name)} status] {event.title}"[:300]
        if sub.kind == SubscriberKind.EMAIL:
            return subject, notices.email_text(plan.name, text, sub, plan.slug)
        return subject, json.dumps(notices.webhook_document(current, url, sub, part), ensure_ascii=False)

    return render


def _subscriber(delivery: Delivery) -> Subscriber | None:
    kind, _, pk = delivery.recipient.partition(":")
    if kind != "subscriber" or not pk.isdigit():
        return None
    return Subscriber.objects.filter(pk=int(pk), plan_id=delivery.plan_id).first()


def _still_subscribed(delivery: Delivery) -> str | None:
    sub = _subscriber(delivery)
    if sub is None:
        return "the subscriber was removed"
    if sub.state != SubscriberState.CONFIRMED:
        return "the subscriber unsubscribed"
    return None


def _still_pending(delivery: Delivery) -> str | None:
    sub = _subscriber(delivery)
    if sub is None:
        return "the subscriber was removed"
    return None if sub.state == SubscriberState.PENDING else "no longer waiting for confirmation"


def list_unsubscribe(delivery: Delivery) -> dict[str, str]:
    """RFC 8058's headers: the one-click link (a POST to it unsubscribes; a GET asks first)."""
    sub = _subscriber(delivery)
    if sub is None:
        return {}
    link = tokens.unsubscribe_url(delivery.plan.slug, sub.code)
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_notice(delivery: Delivery) -> None:
    """A subscriber's delivery: the email with the unsubscribe headers, or the webhook's stored document
    (posted under the same guard as every webhook: public addresses only unless WEBHOOK_ALLOW_PRIVATE)."""
    if delivery.channel_kind == ChannelKind.EMAIL:
        headers = list_unsubscribe(delivery) if delivery.source_kind != notices.CONFIRM else {}
        channels.send_email(delivery, headers=headers)
        return
    channels.post_json(delivery.address, json.loads(delivery.body), key=str(delivery.idempotency_key))


def connect() -> None:
    for kind in KINDS:
        register_relevance(kind, _still_subscribed)
        channels.SOURCE_SENDERS[kind] = send_notice
    register_relevance(notices.CONFIRM, _still_pending)
    channels.SOURCE_SENDERS[notices.CONFIRM] = send_notice


__all__ = ["connect", "events", "subscriber_notices"]
