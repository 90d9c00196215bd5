"""Reads for the communications pages, each in a fixed number of queries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from plans.closing import is_ended
from plans.models import Plan, PlanStatus
from plans.offsets import format_duration, format_offset
from plans.selectors import DatesOutOfRange
from plans.slips import planned_offset
from plans.validators import check_moment
from roles.models import Role

from .models import Channel, ChannelKind, Delivery, DeliveryStatus, HandPost, Message, RoutePreference
from .sources import DeliverySpec, specs_for
from .sources.by_hand import (
    HAND_POST_BEHIND,
    NAMED_ONLY,
    by_hand_specs,
    comms_role,
    hand_post_markable,
    hand_posts,
)
from .templating import check_template, message_variables

SCHEDULE_HORIZON = timedelta(days=14)
SCHEDULE_LIMIT = 200
#: The occurrence's number in a recurring item's or step's recipient (``user:<pk>:o<index>``, sources/oncall.py).
_OCCURRENCE = re.compile(r":o\d+$")
#: The history the page lists: the newest sent and skipped deliveries (the counts are the whole plan's).
HISTORY_LIMIT = 300
#: What is open or needs a person (waiting, sending, failed, late, outcome unknown) is listed whatever its age,
#: up to this many (an outbox stopped for days makes thousands late: the page says how many it left out).
OPEN_LIMIT = 2000
_DONE = [DeliveryStatus.SENT, DeliveryStatus.SKIPPED]


def _template_problems(plan: Plan, message: Message, known: list[set[str]]) -> list[str]:
    """A message's template problems; the plan's placeholders (one query, once per page) are read only when
    the built-in variables are not enough."""
    problems = {name: check_template(getattr(message, name)) for name in ("subject", "body")}
    unknown = any("unknown variable" in p for found in problems.values() for p in found)
    if unknown or "placeholders" in f"{message.subject}{message.body}":
        if not known:
            from plans.runbook.fill import placeholder_map

            known.append(set(placeholder_map(plan)))
        names = known[0]
        problems = {
            name: check_template(getattr(message, name), variables=message_variables(names), placeholders=names)
            for name in problems
        }
    return [f"{name}, {p}" for name, found in problems.items() for p in found]


def encode_key(key: tuple) -> str:
    kind, source_id, recipient, channel_kind, due_at = key
    return f"{kind}|{source_id}|{recipient}|{channel_kind}|{due_at.isoformat()}"


def decode_key(raw: str) -> tuple[str, int, str, str, datetime] | None:
    parts = raw.split("|")
    if len(parts) != 5:
        return None
    try:
        due_at = datetime.fromisoformat(parts[4])
        source_id = int(parts[1])
    except ValueError:
        return None
    if timezone.is_naive(due_at) or not -(2**63) <= source_id < 2**63:
        return None
    try:  # a forged key may hold any date: only moments a plan can reach are looked up
        check_moment(due_at)
    except ValidationError:
        return None
    return parts[0], source_id, parts[2], parts[3], due_at


@dataclass
class Scheduled:
    """A scheduled delivery, with the later sends of its series (the same source, person and channel: a
    recurring item's reminders, a message sent every hour) in the horizon, which the page folds under it."""

    spec: DeliverySpec
    key: str
    awaiting_approval: bool
    later: list[datetime] = field(default_factory=list)
    posted: HandPost | None = None  # a post by hand marked posted (sources/by_hand.py)
    past: bool = False  # a post by hand due already (listed for two hours after)
    markable: bool = False  # a post by hand that may be marked posted now (from half an hour before it is due)

    @property
    def channel_label(self) -> str:
        return ChannelKind(self.spec.channel_kind).label

    @property
    def series_id(self) -> str:
        """A stable id for the series' fold (the page's live swap reopens what was open by its id)."""
        return "series-" + hashlib.blake2s(repr(series_of(self.spec)).encode(), digest_size=6).hexdigest()


def series_of(spec: DeliverySpec | Delivery) -> tuple[str, int, str, str]:
    """What a send repeats: its source, its recipient (without an occurrence's number) and its channel."""
    return spec.source_kind, spec.source_id, _OCCURRENCE.sub("", spec.recipient), spec.channel_kind


def fold_series(rows: list[Delivery]) -> list[Delivery]:
    """Rows newest first, each series once: the newest row of a series (an hourly update, a recurring item's
    reminders) carries the older ones in ``earlier`` (the page folds them under it)."""
    firsts: dict[tuple[str, int, str, str], Delivery] = {}
    out: list[Delivery] = []
    for row in rows:
        first = firsts.setdefault(series_of(row), row)
        if first is row:
            row.earlier = []  # type: ignore[attr-defined]
            out.append(row)
        else:
            first.earlier.append(row)  # type: ignore[attr-defined]
    return out


@dataclass
class Schedule:
    """The page's "Scheduled" list: the first send of each series, in due order, at most SCHEDULE_LIMIT of
    them. ``sends`` counts the sends listed (the firsts and their later ones); ``more`` is true when the
    horizon holds sends the list leaves out (more series than the limit, or a series past the sources'
    own limit), so the page says "200+", not a count it does not have."""

    rows: list[Scheduled]
    sends: int
    more: bool


def upcoming(
    plan: Plan,
    *,
    now: datetime,
    rows: list[Delivery],
    errors: list[str] | None = None,
    unsendable: list[Scheduled] | None = None,
) -> Schedule:
    """The deliveries due in the horizon, a series folded under its first send. The sources give at most
    SCHEDULE_LIMIT sends of one series (computed from the window, not from the start of the series), so
    the cost does not grow with its count. What will not go out by itself (no target, a named-only
    channel) is put in ``unsendable``."""
    existing = {d.key for d in rows}
    out: list[Scheduled] = []
    by_series: dict[tuple[str, int, str, str], Scheduled] = {}
    more = False
    for spec in specs_for(plan, now, now + SCHEDULE_HORIZON, limit=SCHEDULE_LIMIT, errors=errors):
        if spec.key in existing:
            continue
        if spec.skip_reason:
            if unsendable is not None and len(unsendable) < SCHEDULE_LIMIT and not spec.skip_reason.startswith("an "):
                unsendable.append(Scheduled(spec, encode_key(spec.key), spec.requires_approval))
            continue
        first = by_series.get(series_of(spec))
        if first is not None:
            first.later.append(spec.due_at)
            more = more or len(first.later) + 1 >= SCHEDULE_LIMIT
        elif len(out) < SCHEDULE_LIMIT:
            by_series[series_of(spec)] = first = Scheduled(spec, encode_key(spec.key), spec.requires_approval)
            out.append(first)
        else:
            more = True
    return Schedule(out, sum(1 + len(s.later) for s in out), more)


def deactivated_route_people(plan: Plan) -> list[RoutePreference]:
    """The people the plan's enabled routes name (their choices, ``routes: people:``) whose accounts were
    deactivated since (the import and the admin take active people only): "Needs attention" (1 query)."""
    return list(
        RoutePreference.objects.filter(route__plan=plan, route__enabled=True, user__is_active=False)
        .select_related("route", "user")
        .order_by("route__order", "route__id", "id")
    )


def _by_hand(
    plan: Plan, ahead: list[Scheduled], messages: list[Message], now: datetime, ended: bool
) -> list[Scheduled]:
    """The posts by hand to list: those ahead and, while the launch runs, those due in the last two hours, posted
    or not (one not posted yet must not drop off the moment it is due); each with who marked it posted (1 query)
    and whether it may be marked now."""
    rows = list(ahead)
    if not ended:
        keys = {(u.spec.source_id, u.spec.due_at, u.spec.recipient) for u in ahead}
        rows[:0] = [
            Scheduled(spec=spec, key="", awaiting_approval=spec.requires_approval, past=True)
            for _, _, spec in by_hand_specs(plan, now - HAND_POST_BEHIND, now, messages)
            if (spec.source_id, spec.due_at, spec.recipient) not in keys
        ]
    if rows:
        posted = hand_posts(plan, due_at__in={u.spec.due_at for u in rows})
        for u in rows:
            u.posted = posted.get((u.spec.source_id, u.spec.due_at, u.spec.recipient))
            u.markable = u.posted is None and hand_post_markable(u.spec.due_at, now)
    return rows


def communications_page(plan: Plan, *, now: datetime | None = None) -> dict[str, object]:
    now = now or timezone.now()
    deliveries = Delivery.objects.filter(plan=plan).select_related("channel").order_by("-due_at", "-id")
    rows = list(deliveries.exclude(status__in=_DONE)[:OPEN_LIMIT]) + list(
        deliveries.filter(status__in=_DONE)[:HISTORY_LIMIT]
    )
    buckets: dict[str, list[Delivery]] = {s: [] for s in DeliveryStatus.values}
    for row in rows:
        buckets[row.status].append(row)
    future_rows = list(Delivery.objects.filter(plan=plan, due_at__gt=now))
    messages = list(
        Message.objects.filter(plan=plan).prefetch_related(
            Prefetch("channels", queryset=Channel.objects.order_by("id"))
        )
    )
    known: list[set[str]] = []  # the plan's variables, read only if a template needs more than the built-in ones
    for m in messages:
        setattr(m, "offset_label", format_offset(planned_offset(plan, m.offset) or m.offset))  # noqa: B010
        setattr(m, "every_label", format_duration(m.every) if m.every else "")  # noqa: B010
        setattr(m, "template_problems", _template_problems(plan, m, known))  # noqa: B010
    roles = list(Role.objects.filter(plan=plan).select_related("primary", "backup").order_by("order", "name"))
    counts = dict(Delivery.objects.filter(plan=plan).values_list("status").annotate(n=Count("id")))
    source_errors: list[str] = []
    unsendable: list[Scheduled] = []
    ended = is_ended(plan.status)  # the outbox sends an ended launch nothing more: nothing is scheduled
    schedule = (
        Schedule([], 0, False)
        if ended
        else upcoming(plan, now=now, rows=future_rows + rows, errors=source_errors, unsendable=unsendable)
    )
    route_people = [] if ended else deactivated_route_people(plan)
    by_hand = _by_hand(plan, [u for u in unsendable if u.spec.channel_kind in NAMED_ONLY], messages, now, ended)
    return {
        "plan": plan,
        "now": now,
        "ended": ended,
        "scheduled": schedule.rows,
        "scheduled_sends": schedule.sends,
        "scheduled_more": schedule.more,
        "source_errors": source_errors,
        "waiting": buckets[DeliveryStatus.AWAITING_APPROVAL]
        + buckets[DeliveryStatus.PENDING]
        + buckets[DeliveryStatus.SENDING],
        "sent": buckets[DeliveryStatus.SENT],
        "late": fold_series(buckets[DeliveryStatus.LATE]),  # an hourly update late six times is one line
        "late_count": counts.get(DeliveryStatus.LATE, 0),
        "late_listed": len(buckets[DeliveryStatus.LATE]),
        "failed": buckets[DeliveryStatus.FAILED],
        # Before they are due: what cannot go anywhere (no target), and what a person must post by hand.
        "cannot_send": [u for u in unsendable if u.spec.channel_kind not in NAMED_ONLY],
        "route_people": route_people,
        "by_hand": by_hand,
        "by_hand_role": comms_role(plan) if by_hand else None,
        "unknown": buckets[DeliveryStatus.UNKNOWN],
        "skipped": buckets[DeliveryStatus.SKIPPED],
        "counts": counts,
        "count": {  # the chips: the plan's, not what the lists hold
            "waiting": sum(
                counts.get(s, 0)
                for s in (DeliveryStatus.AWAITING_APPROVAL, DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            ),
            **{s: counts.get(s, 0) for s in DeliveryStatus.values},
        },  # fmt: skip
        "comm_messages": messages,
        "channels": list(Channel.objects.filter(plan=plan)),
        "calendar_roles": roles,  # the view keeps those the viewer may manage (communications.ical)
        "reminder_lead": format_duration(plan.reminder_lead),
    }


PUBLIC_STATES = [s for s in PlanStatus.values if s != PlanStatus.DRAFT]


def public_plan(slug: str) -> Plan:
    plan = get_object_or_404(Plan, slug=slug)
    if plan.status not in PUBLIC_STATES:
        raise Http404("No such status page.")
    if not plan.dates_in_range:
        raise DatesOutOfRange(plan)
    return plan


def message_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The previews of the plan's messages ``ids`` by id, for the activity log (plans.event_links; 1 query): a
    message approved or posted by hand opens what it says."""
    from django.urls import reverse

    found = Message.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True)
    return {pk: reverse("communications:preview", args=[plan.slug, pk]) for pk in found}
