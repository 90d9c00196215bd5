"""What comes due: the registry of delivery *sources* the outbox materialises from.

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
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings

from launchcontrol.dates import moment_text
from roles.people import acting

from ..models import Audience, ChannelKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role

    from ..models import Delivery

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
    anchor: datetime | None = None  # the plan moment it hangs off (the send's own when None); a hold defers it if
    # after the hold's start. Wall-clock news, which a hold must not defer, is anchored with ``news_anchor``.
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


# --- Building blocks the built-in sources share ----------------------------------------------------------


class Named(Protocol):
    """What a message says of whom a person is told as: a role, or a stand-in such as "the plan"."""

    @property
    def name(self) -> str: ...


def news_anchor(plan: Plan) -> datetime:
    """The anchor of wall-clock news (an escalation, an alarm, a notice of what just happened, a failure, a status
    update): the plan's creation, before any hold's start, so that a hold never defers it (``outbox.due``)."""
    return plan.created_at


#: Whom the coordinator is told as when not as one of the roles (``roles_and_coordinator`` gives None for them).
THE_PLAN: Named = SimpleNamespace(name="the plan")


def holders(role: Role | None) -> Iterator[tuple[User, str]]:
    """A role's primary and (when someone else) backup, with which of the two each is: the active ones (the
    backup alone when the primary's account is deactivated); when neither is active, both, so that their
    deliveries are made as skipped saying so (``holder_email``) and the role shows as needing attention."""
    if role is None:
        return
    yield from acting(((role.primary, "primary"), (role.backup, "backup")))


def roles_and_coordinator(plan: Plan, roles: Iterable[Role]) -> Iterator[tuple[User, Role | None, str]]:
    """The holders of ``roles`` (``holders``), each once, then the plan's coordinator unless one of them:
    (person, the role they are told as, or None for the coordinator, which of its holders)."""
    seen: set[int] = set()
    for role in roles:
        for user, which in holders(role):
            if user.pk not in seen:
                seen.add(user.pk)
                yield user, role, which
    coordinator = plan.coordinator
    if coordinator is not None and coordinator.pk not in seen:
        yield coordinator, None, "coordinator"


def unreachable(user: User, role: Named | None = None, which: str = "") -> str:
    """Why an email to ``user`` cannot go out ("" when it can): a deactivated account (a role's holder: the
    role needs someone), or no address."""
    if not user.is_active:
        fix = f": assign someone to {role.name}" if role is not None and which in {"primary", "backup"} else ""
        return f"{person(user)}'s account is deactivated{fix}"
    if not (user.email or "").strip():
        return f"{person(user)} has no email address"
    return ""


def holder_email(user: User, role: Named, which: str, *, recipient: str = "", **spec: Any) -> DeliverySpec:
    """An email to one holder of a role (``which``: primary or backup), for the staff: sent to the address on
    their account, or created as skipped saying why not (no address, a deactivated account). ``recipient``
    defaults to ``user:<pk>``; ``spec`` is the rest of the DeliverySpec (source, due time, label, render…)."""
    return DeliverySpec(
        recipient=recipient or f"user:{user.pk}",
        channel_kind=ChannelKind.EMAIL,
        address=(user.email or "").strip(),
        recipient_label=f"{person(user)} ({role.name}, {which})",
        audience=Audience.STAFF,
        skip_reason=unreachable(user, role, which),
        **spec,
    )


def person(user: User) -> str:
    """A user's name as a message shows it."""
    return user.get_full_name() or user.get_username()


def fixed(subject: str, body: str) -> Render:
    """A ``render`` for a delivery whose text is known when the spec is made."""

    def render() -> tuple[str, str]:
        return subject, body

    return render


def tagged(plan_name: str, subject: str) -> str:
    """A subject led by ``[plan name]``, unless it names the plan already (no "[X] X is coming")."""
    subject = subject.strip()
    if plan_name and plan_name.casefold() in subject.casefold():
        return subject[:300]
    return f"[{plan_name}] {subject}"[:300]


def when(plan: Plan, moment: datetime) -> str:
    """A moment in the plan's zone, short form (``Thu 26 Nov 09:40 UTC``)."""
    return moment_text(plan.local(moment))
