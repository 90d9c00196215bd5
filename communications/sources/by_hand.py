"""Messages nobody can send for the team: a *named-only* channel (social media, a website banner, a
war-room bridge) is posted by hand. Each such send becomes a task for the plan's communications role: it
shows on that role's page and its holders are emailed when it is time to post (the text to post included),
instead of the send being silently skipped.

The communications role is the plan's first role whose name says so ("Communications Lead", "Comms"),
else its marketing role, else its product manager; a plan with none of these gives the tasks to its
coordinator (the page of unowned work, and the emails).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ..models import ChannelKind, HandPost, Message
from .registry import (
    DeliverySpec,
    Named,
    holder_email,
    holders,
    register_relevance,
    register_source,
    tagged,
    when,
)
from .schedule import message_specs, occurrences, render_message

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from checklists.selectors import Unowned
    from plans.models import Plan
    from plans.panels import RoleTask
    from roles.models import Role

    from ..models import Delivery

NAMED_ONLY = frozenset({ChannelKind.CHAT, ChannelKind.OTHER})
#: How long before it is due a post by hand may be marked posted (services.message_mark_posted).
HAND_POST_EARLY = timedelta(minutes=30)
#: How long after it was due a post by hand stays listed, to mark posted (or to see it was not), on the role's
#: page and the communications page.
HAND_POST_BEHIND = timedelta(hours=2)


def hand_post_markable(due_at: datetime, now: datetime) -> bool:
    """Whether a post by hand due at ``due_at`` may be marked posted at ``now``: from :data:`HAND_POST_EARLY`
    before it is due on (services.message_mark_posted; its task's "Mark posted" on either page)."""
    return due_at <= now + HAND_POST_EARLY


_COMMS = (
    re.compile(r"\bcomm(s|unications?)?\b", re.IGNORECASE),
    re.compile(r"\bmarketing\b", re.IGNORECASE),
    re.compile(r"\bproduct manager\b", re.IGNORECASE),
)


def comms_role(plan: Plan) -> Role | None:
    """The role that posts by hand: communications, else marketing, else product manager; else ``None``."""
    from roles.models import Role

    roles = list(Role.objects.filter(plan=plan).select_related("primary", "backup").order_by("order", "id"))
    for pattern in _COMMS:
        for role in roles:
            if pattern.search(role.name) or pattern.search(role.slug.replace("-", " ")):
                return role
    return None


def by_hand_specs(
    plan: Plan, start: datetime, end: datetime, messages: list[Message] | None = None
) -> Iterator[tuple[Message, int, DeliverySpec]]:
    """The sends in ``(start, end]`` that go to a named-only channel, with their message and send number (of
    ``messages``, the plan's with their channels, where the caller has read them already)."""
    if messages is None:
        messages = list(Message.objects.filter(plan=plan).prefetch_related("channels"))
    for message in sorted((m for m in messages if m.enabled), key=lambda m: (m.offset, m.order)):
        if not any(c.kind in NAMED_ONLY and c.enabled for c in message.channels.all()):
            continue
        if plan.at(message.offset) > end:
            continue
        numbers = {at: n for n, at in occurrences(plan, message, after=start, until=end)}
        for spec in message_specs(plan, message, start, end):
            if spec.channel_kind in NAMED_ONLY:
                yield message, numbers.get(spec.due_at, 1), spec


@register_source
def by_hand_reminders(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    """At each named-only send's moment, its text to the holders of the communications role: post it now.
    A message that needs approval is not handed out before it is approved (its other sends wait too); once
    approved, the next tick hands it out, if it still matters."""
    found = [f for f in by_hand_specs(plan, start, end) if not f[2].requires_approval]
    if not found:
        return
    role = comms_role(plan)
    people: list[tuple[User, Named, str]] = [(u, role, which) for u, which in holders(role)] if role else []
    if role is None and plan.coordinator is not None:
        people = [(plan.coordinator, SimpleNamespace(name="coordinator"), "no communications role")]
    if not people:
        return
    url = f"{settings.SITE_URL}/plans/{plan.slug}/communications/"
    for message, n, spec in found:
        at = spec.due_at

        def render(
            message: Message = message, n: int = n, at: datetime = at, where: str = spec.recipient_label
        ) -> tuple[str, str]:
            subject, body = render_message(plan, message, occurrence=n, at=at)
            head = f"Post this by hand on {where} now ({when(plan, at)}):"
            text = f"{head}\n\n{subject}\n\n{body}\n\nThe communications page: {url}"
            return tagged(plan.name, f"Post by hand on {where}: {message.name}"), text

        for user, owner, which in people:
            yield holder_email(
                user,
                owner,
                which,
                recipient=f"user:{user.pk}:{spec.recipient}",
                source_kind="message.by_hand",
                source_id=message.pk,
                due_at=at,
                label=f"Post by hand on {spec.recipient_label}: {spec.label}",
                anchor=at,
                expires_at=spec.expires_at,
                render=render,
            )


def _message_enabled(delivery: Delivery) -> str | None:
    """Why a reminder to post by hand no longer matters: its message deleted or disabled, or already posted."""
    message = Message.objects.filter(pk=delivery.source_id).only("enabled").first()
    if message is None:
        return "the message was deleted"
    if not message.enabled:
        return "the message was disabled"
    send = delivery.recipient.split(":", 2)[-1]  # user:<id>:<the send's recipient>
    posted = HandPost.objects.filter(message_id=message.pk, due_at=delivery.due_at, recipient=send).exists()
    return "it was already posted by hand" if posted else None


register_relevance("message.by_hand", _message_enabled)


def by_hand_tasks(plan: Plan, role: Role | Unowned, now: datetime) -> list[RoleTask]:
    """The communications role's page lists what it must post by hand in the next 14 days (and the last
    two hours), each with who marked it posted (and "Undo"), or "Mark posted" from half an hour before it is due;
    a plan with no such role lists them on the page of unowned work (the coordinator's)."""
    from django.urls import reverse

    from plans.panels import RoleTask
    from roles.contacts import person_name

    owner = comms_role(plan)
    if owner is None and getattr(role, "pk", None) is not None:
        return []
    if owner is not None and getattr(role, "pk", None) != owner.pk:
        return []
    url = f"/plans/{plan.slug}/communications/#by-hand"
    start, end = now - HAND_POST_BEHIND, now + timedelta(days=14)
    posted = hand_posts(plan, due_at__gt=start, due_at__lte=end)
    mark = reverse("communications:hand_post", args=[plan.slug])
    tasks = []
    for message, _, spec in by_hand_specs(plan, start, end):
        note = "Posted by hand: its text is on the communications page, and emailed to this role when it is time."
        post = posted.get((message.pk, spec.due_at, spec.recipient))
        fields = (("message", str(message.pk)), ("due", spec.due_at.isoformat()), ("recipient", spec.recipient))
        state: dict[str, Any] = {}
        if post is not None:  # done, with "Undo" for a mark made by mistake
            done = f"Posted by {person_name(post.posted_by) or 'someone'} at {when(plan, post.posted_at)}"
            undo = (*fields, ("undo", "1"))
            state = {"done": done, "action_url": mark, "action_label": "Undo", "action_fields": undo}
        elif hand_post_markable(spec.due_at, now):
            state = {"action_url": mark, "action_label": "Mark posted", "action_fields": fields}
        tasks.append(RoleTask(f"Post by hand on {spec.recipient_label}: {spec.label}", spec.due_at, note, url, **state))
        if len(tasks) >= 50:
            break
    return tasks


def hand_posts(plan: Plan, **due: Any) -> dict[tuple[int, datetime, str], HandPost]:
    """The plan's posts by hand marked posted, due as ``due`` says (``due_at__…`` lookups), by their send:
    (message id, moment, recipient). One query."""
    posts = HandPost.objects.filter(plan=plan, **due).select_related("posted_by")
    return {(p.message_id, p.due_at, p.recipient): p for p in posts}
