"""The board's communications line: the next scheduled communication and the last one sent (one query
for the plan's messages with their channels, one for the outbox), or, in the last one's place, the posts by hand
due and not marked posted (three queries more, only when one was due in the last two hours; four on hold)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from django.apps import apps
from django.db import connection
from django.db.models.functions import Coalesce

from communications.models import Message
from communications.sources.by_hand import HAND_POST_BEHIND, NAMED_ONLY, by_hand_specs, hand_posts
from communications.sources.schedule import occurrence_at
from plans.closing import is_ended
from plans.models import Plan
from plans.selectors import open_hold

if TYPE_CHECKING:
    from communications.models import Delivery


class Timed(Protocol):
    """What ``message_times`` reads of a message (a ``Message`` or a ``MessageRow``)."""

    @property
    def offset(self) -> timedelta: ...
    @property
    def every(self) -> timedelta | None: ...
    @property
    def count(self) -> int | None: ...


@dataclass(slots=True)
class MessageRow:
    name: str
    offset: timedelta
    every: timedelta | None
    count: int | None
    channels: list[str]
    by_hand: bool = False  # one of its channels is named-only: someone posts it by hand


@dataclass
class Comms:
    next_name: str = ""
    next_at: datetime | None = None
    next_channels: str = ""
    last_name: str = ""
    last_at: datetime | None = None
    last_status: str = ""  # "sent" (from the outbox), "failed", or "due" (from the plan, no outbox yet)
    unposted: list[tuple[str, datetime]] = field(default_factory=list)  # posts by hand due, not marked posted


def message_times(message: Timed, plan: Plan, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(last occurrence at or before now, next occurrence after now) of a one-off or recurring message, at
    the times the outbox sends them (communications.sources.schedule: the first at ``Plan.at(offset)``,
    whole-day repeats on the plan's calendar)."""
    first = plan.at(message.offset)
    if first > now:
        return None, first
    if not message.every or message.every <= timedelta(0):
        return first, None
    at = partial(occurrence_at, plan, cast("Message", message))
    n = max(1, math.floor((now - first) / message.every) + 1)
    while n > 1 and at(n) > now:
        n -= 1
    while at(n + 1) <= now:
        n += 1
    if message.count is not None and n >= message.count:
        return at(message.count), None
    return at(n), at(n + 1)


def message_rows(plan: Plan) -> list[MessageRow]:
    """The plan's enabled messages in plan order, each with its channels' names in channel order: one
    query (a row per message and channel), no model instances."""
    rows: dict[int, MessageRow] = {}
    query = (
        Message.objects.filter(plan=plan, enabled=True)
        .order_by("offset", "order", "pk", "channels__id")
        .values_list("pk", "name", "offset", "every", "count", "channels__name", "channels__kind", "channels__enabled")
    )
    for pk, name, offset, every, count, channel, kind, enabled in query:
        row = rows.setdefault(pk, MessageRow(name, offset, every, count, []))
        if channel is not None:
            row.channels.append(channel)
            row.by_hand = row.by_hand or (kind in NAMED_ONLY and enabled)
    return list(rows.values())


def comms(plan: Plan, now: datetime) -> Comms:
    """The next scheduled communication and the last one sent. Reads the outbox (Delivery) when the
    communications app has one, and derives from the plan's message offsets otherwise."""
    result = Comms()
    if is_ended(plan.status):  # the outbox sends an ended launch nothing more: only what went out counts
        sent = _last_delivery(plan)
        if sent is not None:
            result.last_name, result.last_at, result.last_status = sent
        return result
    hand_due = False
    for message in message_rows(plan):
        last, nxt = message_times(message, plan, now)
        hand_due = hand_due or (message.by_hand and last is not None and last > now - HAND_POST_BEHIND)
        if nxt is not None and (result.next_at is None or nxt < result.next_at):
            result.next_name, result.next_at = message.name, nxt
            result.next_channels = ", ".join(message.channels)
        if last is not None and (result.last_at is None or last > result.last_at):
            result.last_name, result.last_at, result.last_status = message.name, last, "due"
    sent = _last_delivery(plan)
    if sent is not None:
        result.last_name, result.last_at, result.last_status = sent
    if hand_due:
        result.unposted = unposted(plan, now)
    return result


def unposted(plan: Plan, now: datetime) -> list[tuple[str, datetime]]:
    """The posts by hand due in the last two hours (what the communications role's page lists to mark) and not
    marked posted, oldest first: (the message's name, due). The board showed the next and the last sends only, so
    a post nobody made went unseen in the war room. Three queries (four on hold); the board asks only when one was
    due."""
    start = now - HAND_POST_BEHIND
    hold = open_hold(plan)  # what a hold defers is not due yet: it slips when the hold ends (as the outbox does)
    end = min(now, hold.started_at - timedelta(microseconds=1)) if hold is not None else now
    posted = hand_posts(plan, due_at__gt=start, due_at__lte=end)
    found = [
        (message.name, spec.due_at)
        for message, _, spec in by_hand_specs(plan, start, end)
        if (message.pk, spec.due_at, spec.recipient) not in posted
    ]
    return sorted(found, key=lambda f: f[1])


_OUTBOX_READY: bool | None = None


def _outbox() -> type[Delivery] | None:
    """The communications outbox model, once its table exists (checked once per process)."""
    global _OUTBOX_READY
    try:
        delivery = cast("type[Delivery]", apps.get_model("communications", "Delivery"))
    except LookupError:
        return None
    if _OUTBOX_READY is None:
        _OUTBOX_READY = delivery._meta.db_table in connection.introspection.table_names()
    return delivery if _OUTBOX_READY else None


def _last_delivery(plan: Plan) -> tuple[str, datetime, str] | None:
    """The last communication that went out (or failed to), from the outbox. Reminders to people
    (item.due, step.due…) are not communications and are left out."""
    delivery = _outbox()
    if delivery is None:
        return None
    names = {f.name for f in delivery._meta.get_fields()}
    if not {"plan", "status", "sent_at", "source_kind", "label"} <= names:
        return None
    row = (
        delivery.objects.filter(plan=plan, source_kind__startswith="message", status__in=["sent", "failed"])
        .order_by(Coalesce("sent_at", "due_at").desc())
        .values("label", "sent_at", "due_at", "status")
        .first()
    )
    if row is None:
        return None
    return row["label"] or "Message", row["sent_at"] or row["due_at"], row["status"]
