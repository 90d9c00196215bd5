"""The communication plan as a source: when each send of a message falls (one-off or a recurring series,
held and re-baselined with the plan), the values its sandboxed template sees, and the rendered text."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from launchcontrol.dates import day_text, moment_text
from plans.offsets import format_offset
from plans.slips import plan_slips, slipped_by
from plans.wallclock import offset_of

from .. import templating
from ..customer import customer_copy, customer_headline, is_planning_note
from ..models import MAX_OCCURRENCES, Audience, ChannelKind, Message, MessageKind
from .registry import DeliverySpec, late_after, register_relevance, register_source, tagged

if TYPE_CHECKING:
    from plans.models import Plan

    from ..models import Delivery

log = logging.getLogger(__name__)


def _recurring(message: Message) -> bool:
    return bool(message.every) and message.every is not None and message.every > timedelta(0)


def series_length(message: Message) -> int:
    """How many sends a message has (capped at MAX_OCCURRENCES whatever the row says)."""
    if not _recurring(message):
        return 1
    return max(1, min(message.count or 1, MAX_OCCURRENCES))


def occurrence_at(plan: Plan, message: Message, n: int) -> datetime:
    """The moment of send ``n`` (1-based). Sub-day intervals step in absolute time (an hourly update is every
    60 minutes, across a DST change too); whole-day intervals step on the plan's local calendar (a daily
    09:00 update stays at 09:00). A hold that started after the first send pinned the series' offset
    (``plans.timing.pin_before``): each send after that hold's start slips by its length, like everything
    after a hold."""
    first = plan.at(message.offset)  # whole days on the plan's calendar, as the pages show it
    every = message.every
    if n <= 1 or every is None or not _recurring(message):
        return first
    if every % timedelta(days=1) == timedelta(0):
        wall = plan.local(first).replace(tzinfo=None) + (n - 1) * every
        at = timezone.make_aware(wall, plan.zone).astimezone(first.tzinfo)
    else:
        at = first + (n - 1) * every
    for started, slip in plan_slips(plan):  # in the order they happened: a later hold sees the earlier slips
        if first < started < at:
            at += slip
    return at


def occurrences(
    plan: Plan, message: Message, *, after: datetime | None = None, until: datetime | None = None
) -> Iterator[tuple[int, datetime]]:
    """The sends ``(n, moment)`` of a message in order, only those in ``(after, until]``: the first one in the
    window is computed directly, so the cost is the number of sends in the window, not the series length."""
    total = series_length(message)
    start = 1
    every = message.every
    if after is not None and total > 1 and every is not None:
        try:
            first = plan.at(message.offset)
            # One step back: a whole-day series moves by a DST shift (hours) against absolute time; and as
            # many back as the holds slipped it (occurrence_at).
            start = max(1, int((after - first - slipped_by(plan)) // every))
        except OverflowError:
            return
    for n in range(start, total + 1):
        try:
            at = occurrence_at(plan, message, n)
        except OverflowError:  # past the calendar's end: there is no such send
            return
        if after is not None and at <= after:
            continue
        if until is not None and at > until:
            return
        yield n, at


def _moment(plan: Plan, moment: datetime) -> str:
    return moment_text(plan.local(moment), year=True)


def message_context(
    plan: Plan, message: Message, *, occurrence: int, at: datetime, names: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The plain values a message template sees (communications/templating/ lists them). What needs the
    live plan (``report``, ``progress``…) is computed only when ``names`` asks for it."""
    from ..compose import compose_report, status_snapshot

    t0 = plan.local(plan.t0)
    total = series_length(message)
    following = None
    if occurrence < total:
        try:
            following = occurrence_at(plan, message, occurrence + 1)
        except OverflowError:
            following = None
    status_url = f"{settings.SITE_URL}/status/{plan.slug}/"
    ctx: dict[str, Any] = {
        "plan": {
            "name": plan.name,
            "slug": plan.slug,
            "summary": plan.summary,
            "state": plan.get_status_display(),
            "state_code": plan.status,
            "timezone": plan.timezone,
            "t0": _moment(plan, plan.t0),
            "url": f"{settings.SITE_URL}/plans/{plan.slug}/",
            "status_url": status_url,
        },
        "t0": _moment(plan, plan.t0),
        "t0_date": day_text(t0, year=True),
        "t0_time": f"{t0:%H:%M}",
        "t0_iso": t0.isoformat(),
        "now": _moment(plan, at),
        "now_iso": plan.local(at).isoformat(),
        "countdown": format_offset(timedelta(minutes=offset_of(plan, at) // timedelta(minutes=1))),
        "occurrence": occurrence,
        "count": total,
        "next_update": _moment(plan, following) if following else "",
        "next_update_iso": plan.local(following).isoformat() if following else "",
        "message": {"name": message.name, "kind": message.kind, "audience": message.audience},
        "status_url": status_url,
        "report": "",
        "placeholders": {},
    }
    if message.kind in {MessageKind.STATUS_UPDATE, MessageKind.EOD_REPORT} or "report" in names:
        ctx["report"] = compose_report(
            plan, audience=message.audience, now=at, eod=message.kind == MessageKind.EOD_REPORT
        )
    if names & {"progress", "phases", "gates_passed", "gates_total", "issues_open"}:
        snap = status_snapshot(plan, now=at)
        overall = snap.overall
        ctx["progress"] = {
            "done": overall.done if overall else 0,
            "total": overall.total if overall else 0,
            "percent": overall.percent if overall else 100,
        }
        ctx["phases"] = [{"name": p.name, "done": p.done, "total": p.total, "percent": p.percent} for p in snap.phases]
        ctx["gates_passed"], ctx["gates_total"] = snap.gates_passed, snap.gates_total
        ctx["issues_open"] = sum(snap.issues_by_severity.values())
    if "placeholders" in names or names - set(templating.VARIABLES):
        ctx.update(placeholder_context(plan))
    return ctx


def placeholder_context(plan: Plan) -> dict[str, Any]:
    """The plan's placeholders as plain text (one query): ``placeholders`` by name, and each one whose name is
    a plain word as a variable of its own. An unfilled one reads ``[War-room bridge — not set]``."""
    from plans.runbook.fill import placeholder_map, unfilled_text

    values = {n: p.value if p.filled else unfilled_text(p) for n, p in placeholder_map(plan).items()}
    own = templating.placeholder_variables(values)
    return {"placeholders": templating.Placeholders(values), **{n: values[n] for n in own}}


def render_message(plan: Plan, message: Message, *, occurrence: int, at: datetime) -> tuple[str, str]:
    """The subject and body of one send, rendered in the sandbox (communications/templating/) from the
    plan's live values. Raises :class:`~communications.templating.MessageTemplateError` naming the field."""
    names = templating.referenced_names(message.subject) | templating.referenced_names(message.body)
    ctx = message_context(plan, message, occurrence=occurrence, at=at, names=names)
    report = ctx["report"]
    parts: dict[str, str] = {}
    for field_name in ("subject", "body"):
        try:
            parts[field_name] = templating.render_message(getattr(message, field_name), ctx).strip()
        except templating.MessageTemplateError as exc:
            raise templating.MessageTemplateError(f"{field_name}: {exc.detail}", exc.line) from None
    if message.audience not in INTERNAL_AUDIENCES:
        return _external_text(plan, message, occurrence=occurrence, at=at, parts=parts, status_url=ctx["status_url"])
    subject = parts["subject"] or message.name
    body = parts["body"] if message.body else report
    if report and message.body and "report" not in names:
        body = f"{body}\n\n{report}"  # a composed update always carries the live report
    if _recurring(message) and series_length(message) > 1 and not message.subject:
        subject = f"{subject} ({occurrence}/{series_length(message)})"
    return tagged(plan.name, subject), body


def _external_text(
    plan: Plan, message: Message, *, occurrence: int, at: datetime, parts: dict[str, str], status_url: str
) -> tuple[str, str]:
    """Customer-facing copy (communications/customer.py): the state, what users will notice, the next update;
    never the internal report, a planning note, a series counter or the plan name twice."""
    following = None
    if occurrence < series_length(message):
        try:
            following = occurrence_at(plan, message, occurrence + 1)
        except OverflowError:
            following = None
    copy = customer_copy(plan, now=at, next_update=following, status_url=status_url)
    own = "" if is_planning_note(message.body) else parts["body"]
    composed = message.kind in {MessageKind.STATUS_UPDATE, MessageKind.EOD_REPORT}
    body = f"{own}\n\n{copy}" if own and composed else (own or copy)
    # A composed update is titled by the state (no "(6/7)" counter); another message by its name.
    subject = parts["subject"] or (f"{plan.name}: {customer_headline(plan, now=at)}" if composed else message.name)
    return tagged(plan.name, subject), body


def message_specs(
    plan: Plan, message: Message, start: datetime, end: datetime, *, limit: int | None = None
) -> Iterator[DeliverySpec]:
    channels = [c for c in message.channels.all() if c.enabled]
    internal = message.audience in INTERNAL_AUDIENCES
    total = series_length(message)
    for n, at in itertools.islice(occurrences(plan, message, after=start, until=end), limit):
        cache: dict[str, tuple[str, str] | Exception] = {}

        def render(n: int = n, at: datetime = at, cache: dict = cache) -> tuple[str, str]:
            # Composed once per send moment, so every channel gets the same text (or the same error).
            if "v" not in cache:
                try:
                    cache["v"] = render_message(plan, message, occurrence=n, at=at)
                except Exception as exc:
                    cache["v"] = exc
            value = cache["v"]
            if isinstance(value, Exception):
                raise value
            return value

        for channel in channels:
            skip = ""
            if channel.kind in {ChannelKind.CHAT, ChannelKind.OTHER}:
                skip = f"{channel.name} is a named-only channel: post it by hand"
            elif channel.kind == ChannelKind.STATUS_PAGE and internal:
                skip = "an internal message never goes to the public status page"
            elif channel.kind in {ChannelKind.EMAIL, ChannelKind.WEBHOOK} and not channel.target.strip():
                skip = f"{channel.name} has no target"
            every = message.every
            # A recurring update is useful until the next one; a one-off for OUTBOX_LATE_AFTER_MINUTES x 12.
            expires = at + (every if every and (message.count or 1) > 1 else late_after() * 12)
            yield DeliverySpec(
                source_kind="message",
                source_id=message.pk,
                recipient=f"channel:{channel.pk}",
                channel_kind=channel.kind,
                due_at=at,
                address=channel.target.strip(),
                channel_id=channel.pk,
                recipient_label=channel.name,
                label=message.name + (f" ({n}/{total})" if total > 1 else ""),
                audience=message.audience,
                anchor=at,
                expires_at=expires,
                requires_approval=message.requires_approval and message.approved_at is None,
                skip_reason=skip,
                render=render,
            )


INTERNAL_AUDIENCES = frozenset({Audience.STAFF, Audience.EXECUTIVES})


@register_source
def communication_plan(
    plan: Plan, start: datetime, end: datetime, *, limit: int | None = None
) -> Iterator[DeliverySpec]:
    messages = Message.objects.filter(plan=plan, enabled=True).prefetch_related("channels").order_by("offset", "order")
    for message in messages:
        try:
            if plan.at(message.offset) > end:
                continue
            specs = list(message_specs(plan, message, start, end, limit=limit))
        except Exception:  # one broken message never stops the others
            log.exception("communications: message %s of plan %s could not be scheduled", message.pk, plan.pk)
            continue
        yield from specs


def _message_enabled(delivery: Delivery) -> str | None:
    message = Message.objects.filter(pk=delivery.source_id).only("enabled").first()
    if message is None:
        return "the message was deleted"
    return None if message.enabled else "the message was disabled"


register_relevance("message", _message_enabled)
