"""Failed messages as a source: when a delivery fails for good (its last attempt refused, a webhook that
answers 404, a mail server that rejects it) or a message's text cannot be composed (a broken template),
the plan's coordinator and the holders of its communications role (primary and backup, the role that posts
by hand: ``by_hand.comms_role``) are emailed, each once, so a broken Slack route or status channel is not
found only by whoever next opens the communications page. The moment is the failure's own (its
``comms.failed`` event in the activity log), so each failure is told once; failures in one tick go out as one
email to each person (the outbox's digest). A failure of one of these notices is never itself notified (no
loop), and a notice whose failed delivery went out after all (sent by hand) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from ..models import Audience, ChannelKind, DeliveryStatus
from .registry import (
    DeliverySpec,
    fixed,
    holders,
    news_anchor,
    person,
    register_relevance,
    register_source,
    tagged,
    unreachable,
    when,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role

    from ..models import Delivery

KIND = "comms.failure"


@register_source
def failure_notices(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    """One email to each of the coordinator and the communications role's holders per ``comms.failed`` event
    in ``(start, end]`` (one query; a few more when there are some: leaving out the failures of these notices
    themselves, and the role's holders)."""
    from plans.models import Event

    from ..models import Delivery
    from .by_hand import comms_role

    if not plan.pk or start >= timezone.now():
        return  # (a failure is in the past: the communications page's window ahead has none)
    events = list(
        Event.objects.filter(plan=plan, kind="comms.failed", at__gt=start, at__lte=end)
        .only("pk", "at", "summary", "data")
        .order_by("at", "pk")
    )
    if not events:
        return
    people = _people(plan, comms_role(plan))
    if not people:
        return
    ids = {d for e in events if isinstance(e.data, dict) and isinstance(d := e.data.get("delivery"), int)}
    own = set(Delivery.objects.filter(pk__in=ids, source_kind=KIND).values_list("pk", flat=True)) if ids else set()
    page = f"{settings.SITE_URL}/plans/{plan.slug}/communications/"
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        if data.get("delivery") in own:
            continue
        error = str(data.get("error") or "").strip()
        failed = data.get("delivery")
        link = page + (f"#delivery-{failed}" if isinstance(failed, int) else "")  # its row, when there is one
        render = fixed(
            tagged(plan.name, f"Not delivered: {event.summary}"),
            f"{event.summary} ({when(plan, event.at)}).\n\n"
            + (f"The error: {error}\n\n" if error else "")
            + "Fix the channel or route (or send it by hand) on the communications page:\n"
            + link,
        )
        for user, as_what in people:
            address = (user.email or "").strip()
            yield DeliverySpec(
                source_kind=KIND,
                source_id=event.pk,
                recipient=f"user:{user.pk}",
                channel_kind=ChannelKind.EMAIL,
                due_at=event.at,
                anchor=news_anchor(plan),
                address=address,
                recipient_label=f"{person(user)} ({as_what})",
                audience=Audience.STAFF,
                label=f"Failure notice: {event.summary}"[:300],
                skip_reason=unreachable(user),
                render=render,
            )


def _people(plan: Plan, role: Role | None) -> list[tuple[User, str]]:
    """The coordinator, then the communications role's primary and backup: each person once (a coordinator
    who holds the role too is told as the coordinator)."""
    people: list[tuple[User, str]] = []
    if plan.coordinator is not None:
        people.append((plan.coordinator, "coordinator"))
    if role is None:
        return people
    for user, which in holders(role):
        if all(user.pk != seen.pk for seen, _ in people):
            people.append((user, f"{role.name}, {which}"))
    return people


def _still_failed(delivery: Delivery) -> str | None:
    from plans.models import Event

    from ..models import Delivery as DeliveryModel

    event = Event.objects.filter(pk=delivery.source_id).only("data").first()
    if event is None:
        return "the failure is no longer in the log"
    failed = event.data.get("delivery") if isinstance(event.data, dict) else None
    if failed is None:  # a message that could not be composed: nothing went out since
        return None
    status = DeliveryModel.objects.filter(pk=failed).values_list("status", flat=True).first()
    if status is None:
        return "the failed delivery was deleted"
    return None if status == DeliveryStatus.FAILED else "it went out after all (sent again by hand)"


register_relevance(KIND, _still_failed)
