"""What comes due: a small registry of delivery *sources* the outbox materialises from.

A source is a function ``fn(plan, start, end) -> Iterable[DeliverySpec]`` that yields every delivery of
``plan`` whose due moment lies in ``(start, end]`` (it may also take a keyword ``limit``: at most that many
sends of one recurring series are wanted, for pages that show the first few). It must be pure (no writes)
and derive due moments from the plan's current offsets and T-0, so holds and re-baselines move them. The
outbox tick calls each source with ``(now - lookback, now]`` and creates the missing rows idempotently; the
communications page calls the same sources with ``(now, now + horizon]`` to show what is scheduled. A
source that raises is logged and left out; the others go on.

Another app adds its own with::

    from communications.sources import DeliverySpec, register_source, register_relevance

    @register_source
    def escalations(plan, start, end):
        for issue in ...:
            yield DeliverySpec(source_kind="issue.escalation", source_id=issue.pk, recipient=f"user:{u.pk}",
                               channel_kind="email", due_at=..., address=u.email, label=..., render=lambda: (s, b))

    register_relevance("issue.escalation", lambda delivery: "acknowledged" if ... else None)

A relevance check runs just before sending: it returns ``None`` to send, or the reason the delivery no
longer matters (it is then recorded as skipped with that reason, never silently dropped).
"""

from __future__ import annotations

import inspect
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from plans.offsets import format_offset

from . import templating
from .models import MAX_OCCURRENCES, Audience, ChannelKind, Message, MessageKind

if TYPE_CHECKING:
    from plans.models import Plan

    from .models import Delivery

log = logging.getLogger(__name__)

Render = Callable[[], tuple[str, str]]


def _nothing() -> tuple[str, str]:
    return "", ""


@dataclass
class DeliverySpec:
    """One delivery that is (or will be) due. ``(source_kind, source_id, recipient, channel_kind,
    due_at)`` is its identity; ``render`` is called once, when the row is created, and returns
    ``(subject, body)``."""

    source_kind: str
    source_id: int
    recipient: str
    channel_kind: str
    due_at: datetime
    address: str = ""
    channel_id: int | None = None
    recipient_label: str = ""
    label: str = ""
    audience: str = ""
    anchor: datetime | None = None  # the plan moment it hangs off; a hold defers it if after the hold's start
    expires_at: datetime | None = None  # after this it is too late to matter (recorded as late)
    requires_approval: bool = False
    skip_reason: str = ""  # created as skipped with this reason (named-only channel, no address…)
    render: Render = field(default=_nothing, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, int, str, str, datetime]:
        return (self.source_kind, self.source_id, self.recipient, self.channel_kind, self.due_at)


SourceFn = Callable[["Plan", datetime, datetime], Iterable[DeliverySpec]]
RelevanceFn = Callable[["Delivery"], "str | None"]

_SOURCES: list[SourceFn] = []
_RELEVANCE: dict[str, RelevanceFn] = {}


def register_source(fn: SourceFn) -> SourceFn:
    """Add a source (usable as a decorator). Registering the same function twice is a no-op."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def register_relevance(source_kind: str, fn: RelevanceFn) -> None:
    _RELEVANCE[source_kind] = fn


def sources() -> list[SourceFn]:
    return list(_SOURCES)


def still_relevant(delivery: Delivery) -> str | None:
    check = _RELEVANCE.get(delivery.source_kind)
    return check(delivery) if check else None


def _takes_limit(fn: SourceFn) -> bool:
    try:
        return "limit" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def specs_for(
    plan: Plan, start: datetime, end: datetime, *, limit: int | None = None, errors: list[str] | None = None
) -> list[DeliverySpec]:
    """Every source's deliveries in ``(start, end]``, in due order. ``limit`` tells the sources that take it
    (the communication plan) that no more than that many sends of one series are needed. A source that fails
    is left out (logged, and its error appended to ``errors``): the others go on."""
    out: list[DeliverySpec] = []
    for fn in _SOURCES:
        try:
            if limit is not None and _takes_limit(fn):
                found = fn(plan, start, end, limit=limit)  # type: ignore[call-arg]
            else:
                found = fn(plan, start, end)
            out.extend(s for s in found if start < s.due_at <= end)
        except Exception:
            name = getattr(fn, "__name__", "a source")
            log.exception("communications: source %s failed for plan %s", name, plan.pk)
            if errors is not None:
                errors.append(f"{name.replace('_', ' ')} could not be worked out (the error is in the server log)")
    out.sort(key=lambda s: (s.due_at, s.source_kind, s.source_id, s.recipient))
    return out


def late_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "OUTBOX_LATE_AFTER_MINUTES", 30))


def overdue_grace() -> timedelta:
    return timedelta(minutes=getattr(settings, "REMINDER_OVERDUE_GRACE_MINUTES", 5))


# --- T-minus and overdue reminders to a role's primary and backup -------------------------------------


def _holders(role: Any) -> Iterator[tuple[Any, str]]:
    if role is None:
        return
    if role.primary is not None:
        yield role.primary, "primary"
    if role.backup is not None and role.backup_id != role.primary_id:
        yield role.backup, "backup"


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _reminder_specs(
    *,
    plan: Plan,
    kind: str,
    obj_id: int,
    role,
    due_at: datetime,
    anchor: datetime,
    expires_at: datetime | None,
    what: str,
    subject: str,
    body: str,
) -> Iterator[DeliverySpec]:
    for user, which in _holders(role):
        address = (user.email or "").strip()
        yield DeliverySpec(
            source_kind=kind,
            source_id=obj_id,
            recipient=f"user:{user.pk}",
            channel_kind=ChannelKind.EMAIL,
            due_at=due_at,
            address=address,
            recipient_label=f"{_person(user)} ({role.name}, {which})",
            label=what,
            audience=Audience.STAFF,
            anchor=anchor,
            expires_at=expires_at,
            skip_reason="" if address else f"{_person(user)} has no email address",
            render=_fixed(subject, body),
        )


def _fixed(subject: str, body: str) -> Render:
    def render() -> tuple[str, str]:
        return subject, body

    return render


def _when(plan: Plan, moment: datetime) -> str:
    return f"{plan.local(moment):%a %d %b %H:%M %Z}"


@register_source
def item_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from checklists.models import Item, ItemStatus

    lead, grace = plan.reminder_lead, overdue_grace()
    # T-minus: due_at = due - lead in (start, end]  <=>  due_offset in (start - t0 + lead, end - t0 + lead]
    # Overdue: due_at = due + grace in (start, end] <=>  due_offset in (start - t0 - grace, end - t0 - grace]
    lo = min(start - plan.t0 + lead, start - plan.t0 - grace)
    hi = max(end - plan.t0 + lead, end - plan.t0 - grace)
    items = (
        Item.objects.filter(
            plan=plan, status=ItemStatus.OPEN, due_offset__gt=lo, due_offset__lte=hi, owner_role__isnull=False
        )
        .select_related("owner_role__primary", "owner_role__backup")
        .order_by("due_offset", "id")
    )
    for item in items:
        offset, owner = item.due_offset, item.owner_role
        if offset is None or owner is None:
            continue
        due = plan.t0 + offset
        url = f"{settings.SITE_URL}/plans/{plan.slug}/"
        yield from _reminder_specs(
            plan=plan,
            kind="item.due",
            obj_id=item.pk,
            role=owner,
            due_at=due - lead,
            anchor=due,
            expires_at=due + grace,  # useful until the overdue reminder takes over (and while the item is open)
            what=f"Reminder: {item.title} due {format_offset(offset)}",
            subject=f"[{plan.name}] Due at {_when(plan, due)}: {item.title}",
            body=f"{item.title}\n\nDue {format_offset(offset)} ({_when(plan, due)}), owner {owner.name}.\n\n{url}",
        )
        yield from _reminder_specs(
            plan=plan,
            kind="item.overdue",
            obj_id=item.pk,
            role=owner,
            due_at=due + grace,
            anchor=due,
            expires_at=None,  # useful until the item is done (checked just before sending)
            what=f"Overdue: {item.title}",
            subject=f"[{plan.name}] OVERDUE since {_when(plan, due)}: {item.title}",
            body=f"{item.title}\n\nWas due {format_offset(offset)} ({_when(plan, due)}) and is still open.\n\n{url}",
        )


@register_source
def step_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    from plans.models import Step, StepStatus

    lead, grace = plan.reminder_lead, overdue_grace()
    lo = start - plan.t0 - grace - timedelta(days=30)  # a step may last long; filter finely below
    hi = end - plan.t0 + lead
    steps = (
        Step.objects.filter(
            plan=plan,
            status__in=[StepStatus.PENDING, StepStatus.IN_PROGRESS],
            offset__gt=lo,
            offset__lte=hi,
            lead_role__isnull=False,
        )
        .select_related("lead_role__primary", "lead_role__backup")
        .order_by("offset", "id")
    )
    for step in steps:
        lead_role = step.lead_role
        if lead_role is None:
            continue
        begin = plan.t0 + step.offset
        finish = begin + step.duration
        if step.status == StepStatus.PENDING:
            yield from _reminder_specs(
                plan=plan,
                kind="step.due",
                obj_id=step.pk,
                role=lead_role,
                due_at=begin - lead,
                anchor=begin,
                expires_at=finish + grace,  # useful until the step starts (checked) or its overdue one comes
                what=f"Reminder: step {step.name} starts {format_offset(step.offset)}",
                subject=f"[{plan.name}] Starts at {_when(plan, begin)}: {step.name}",
                body=f"Step {step.name} starts {format_offset(step.offset)} ({_when(plan, begin)}); "
                f"you lead it as {lead_role.name}.",
            )
        yield from _reminder_specs(
            plan=plan,
            kind="step.overdue",
            obj_id=step.pk,
            role=lead_role,
            due_at=finish + grace,
            anchor=begin,
            expires_at=None,  # useful until the step is done (checked just before sending)
            what=f"Overdue: step {step.name}",
            subject=f"[{plan.name}] OVERDUE: step {step.name} should have finished at {_when(plan, finish)}",
            body=f"Step {step.name} should have finished at {_when(plan, finish)} and is not done.",
        )


def _item_still_open(delivery: Delivery) -> str | None:
    from checklists.models import Item, ItemStatus

    item = Item.objects.filter(pk=delivery.source_id).only("status").first()
    if item is None:
        return "the item was deleted"
    return None if item.status == ItemStatus.OPEN else f"the item is already {item.get_status_display().lower()}"


def _step_still_pending(delivery: Delivery) -> str | None:
    from plans.models import Step, StepStatus

    step = Step.objects.filter(pk=delivery.source_id).only("status").first()
    if step is None:
        return "the step was deleted"
    if delivery.source_kind == "step.due" and step.status != StepStatus.PENDING:
        return f"the step is already {step.get_status_display().lower()}"
    if step.status in {StepStatus.DONE, StepStatus.SKIPPED}:
        return f"the step is already {step.get_status_display().lower()}"
    return None


register_relevance("item.due", _item_still_open)
register_relevance("item.overdue", _item_still_open)
register_relevance("step.due", _step_still_pending)
register_relevance("step.overdue", _step_still_pending)


# --- The communication plan ------------------------------------------------------------------------------


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
    09:00 update stays at 09:00)."""
    first = plan.t0 + message.offset
    every = message.every
    if n <= 1 or every is None or not _recurring(message):
        return first
    if every % timedelta(days=1) == timedelta(0):
        wall = plan.local(first).replace(tzinfo=None) + (n - 1) * every
        return timezone.make_aware(wall, plan.zone).astimezone(first.tzinfo)
    return first + (n - 1) * every


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
            first = plan.t0 + message.offset
            # One step back: a whole-day series moves by a DST shift (hours) against absolute time.
            start = max(1, int((after - first) // every))
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
    return f"{plan.local(moment):%a %d %b %Y %H:%M %Z}"


def message_context(
    plan: Plan, message: Message, *, occurrence: int, at: datetime, names: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The plain values a message template sees (communications/templating/ lists them). What needs the
    live plan (``report``, ``progress``…) is computed only when ``names`` asks for it."""
    from .compose import compose_report, status_snapshot

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
        "t0_date": f"{t0:%a %d %b %Y}",
        "t0_time": f"{t0:%H:%M}",
        "t0_iso": t0.isoformat(),
        "now": _moment(plan, at),
        "now_iso": plan.local(at).isoformat(),
        "countdown": format_offset(timedelta(minutes=(at - plan.t0) // timedelta(minutes=1))),
        "occurrence": occurrence,
        "count": total,
        "next_update": _moment(plan, following) if following else "",
        "next_update_iso": plan.local(following).isoformat() if following else "",
        "message": {"name": message.name, "kind": message.kind, "audience": message.audience},
        "status_url": status_url,
        "report": "",
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
    return ctx


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
    subject = parts["subject"] or message.name
    body = parts["body"] if message.body else report
    if report and message.body and "report" not in names:
        body = f"{body}\n\n{report}"  # a composed update always carries the live report
    if _recurring(message) and series_length(message) > 1 and not message.subject:
        subject = f"{subject} ({occurrence}/{series_length(message)})"
    return f"[{plan.name}] {subject}"[:300], body


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
            if plan.t0 + message.offset > end:
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


# --- Issue escalation: an unanswered issue climbs the plan's escalation matrix ------------------------------


@register_source
def issue_escalations(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    """Each time-based rung of the escalation matrix that an unacknowledged issue reaches notifies the
    primary and backup of the rung's roles (and, at the first rung, of the issue's owner role)."""
    from django.db.models import Prefetch

    from issues.models import Issue, IssueStatus
    from roles.models import EscalationLevel, Role

    if not plan.pk:
        return
    # The time-based rungs (as issues.selectors.escalation_levels) with their roles and people: two queries.
    rungs = EscalationLevel.objects.filter(plan=plan, condition="").order_by("level")
    rungs = rungs.prefetch_related(
        Prefetch("roles", queryset=Role.objects.select_related("primary", "backup").order_by("order"))
    )
    roles_by_level = {lvl.pk: list(lvl.roles.all()) for lvl in rungs}
    levels = [lvl for lvl in rungs if roles_by_level[lvl.pk]]
    if not levels:
        return
    longest = max(lvl.after for lvl in levels)
    issues = (
        Issue.objects.filter(plan=plan, status=IssueStatus.OPEN, reported_at__gt=start - longest, reported_at__lte=end)
        .select_related("owner_role__primary", "owner_role__backup")
        .order_by("reported_at")
    )
    url = f"{settings.SITE_URL}/plans/{plan.slug}/issues/"
    for issue in issues:
        for lvl in levels:
            due = issue.reported_at + lvl.after
            if not start < due <= end:
                continue
            roles = list(roles_by_level[lvl.pk])
            if lvl == levels[0] and issue.owner_role is not None and issue.owner_role not in roles:
                roles.append(issue.owner_role)
            seen: set[int] = set()
            for role in roles:
                for user, which in _holders(role):
                    if user.pk in seen:
                        continue
                    seen.add(user.pk)
                    address = (user.email or "").strip()
                    yield DeliverySpec(
                        source_kind="issue.escalation",
                        source_id=issue.pk,
                        recipient=f"user:{user.pk}:L{lvl.level}",
                        channel_kind=ChannelKind.EMAIL,
                        due_at=due,
                        address=address,
                        recipient_label=f"{_person(user)} ({role.name}, {which})",
                        label=f"Escalation L{lvl.level} {lvl.name}: #{issue.number} {issue.title}",
                        audience=Audience.STAFF,
                        skip_reason="" if address else f"{_person(user)} has no email address",
                        render=_fixed(
                            f"[{plan.name}] {issue.get_severity_display().upper()} issue #{issue.number} unanswered: "
                            f"escalated to L{lvl.level} {lvl.name}",
                            f"#{issue.number} {issue.title} ({issue.get_severity_display()}) was reported at "
                            f"{_when(plan, issue.reported_at)} and is not acknowledged yet.\n\n"
                            f"{issue.description}\n\nAcknowledge it: {url}",
                        ),
                    )


def _issue_unanswered(delivery: Delivery) -> str | None:
    from issues.models import Issue, IssueStatus

    issue = Issue.objects.filter(pk=delivery.source_id).only("status").first()
    if issue is None:
        return "the issue was deleted"
    return None if issue.status == IssueStatus.OPEN else f"the issue is already {issue.get_status_display().lower()}"


register_relevance("issue.escalation", _issue_unanswered)
