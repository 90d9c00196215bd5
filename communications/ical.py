"""Per-role iCalendar feeds: a role's items, steps and gates (those it decides or votes in) as events, for a
calendar app that cannot sign in; each occurrence of its recurring items and each of its on-call shifts too
(:mod:`.ical_series`).

A feed is a ``CalendarFeed`` row: the URL carries a random token (shown once, when the link is made), the
database keeps only its SHA-256. The role's primary and backup and the plan's coordinator make and
revoke links; each expires after the days chosen at creation (``LINK_DEFAULT_DAYS``, at most
``LINK_MAX_DAYS``). Every request reads the row, so a revoked or expired link stops on its next request.
UIDs are stable (``item-<id>@…``) and every event's SEQUENCE is the plan's revision, so a subscribed
calendar follows holds and re-baselines.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from plans.duedates import due_text
from plans.lateness import item_due
from plans.models import Plan, link_days
from plans.permissions import can_coordinate
from plans.runbook.fill import fill_text
from plans.services import event_record, link_revoke
from roles.models import Role
from roles.permissions import require_role

from .ical_series import series_events, shift_events
from .models import CalendarFeed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.permissions import Viewer

MIN_LENGTH = timedelta(minutes=15)
LAST_USED_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often per feed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(plan: Plan, token: str) -> str:
    return reverse("communications:ical", args=[plan.slug, token])


def feed_create(role: Role, *, by: User, days: int | str | None = None) -> tuple[CalendarFeed, str]:
    """A new feed link for the role: the row and the token (the only time the token exists in clear)."""
    require_role(by, role)
    lifetime = link_days(days)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        feed = CalendarFeed.objects.create(
            role=role,
            token_hash=token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=lifetime),
        )
        event_record(
            role.plan,
            kind="calendar.created",
            actor=by,
            role=role,
            summary=f"Calendar feed link made for {role.name} (expires in {lifetime} days)",
            data={"feed": feed.pk, "days": lifetime},
        )
    return feed, token


def feed_revoke(feed: CalendarFeed, *, by: User) -> CalendarFeed:
    require_role(by, feed.role)
    return link_revoke(
        feed,
        plan=feed.role.plan,
        by=by,
        kind="calendar.revoked",
        role=feed.role,
        summary=f"Calendar feed link revoked for {feed.role.name}",
        data={"feed": feed.pk},
    )


def feed_for(plan: Plan, token: str) -> CalendarFeed | None:
    """The live feed a token opens on this plan, with its role; None if unknown, revoked or expired."""
    if not token or len(token) > 200:
        return None
    now = timezone.now()
    feed = (
        CalendarFeed.objects.select_related("role")
        .filter(token_hash=token_hash(token), role__plan=plan, revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if feed is not None and (feed.last_used_at is None or feed.last_used_at < now - LAST_USED_EVERY):
        CalendarFeed.objects.filter(pk=feed.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
    return feed


def manageable_feeds(plan: Plan, user: Viewer, roles: list[Role]) -> list[tuple[Role, list[CalendarFeed]]]:
    """The roles whose feeds this user may see and manage (holders: their roles; the coordinator: all),
    each with its live links, in one query."""
    if can_coordinate(user, plan):
        mine = list(roles)
    else:
        mine = [role for role in roles if user.is_authenticated and user.pk in (role.primary_id, role.backup_id)]
    feeds: dict[int, list[CalendarFeed]] = {role.pk: [] for role in mine}
    if mine:
        live = CalendarFeed.objects.filter(
            role__in=mine, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("created_by")
        for feed in live:
            feeds[feed.role_id].append(feed)
    return [(role, feeds[role.pk]) for role in mine]


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "launchcontrol"


def role_calendar(plan: Plan, role: Role) -> bytes:
    from checklists.models import Item
    from plans.models import Step

    host, now = _host(), timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Launch Control//Role feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{plan.name}: {role.name}")
    cal.add("x-wr-timezone", plan.timezone)

    def event(
        uid: str, summary: str, start: date, end: date, description: str, status: str = "CONFIRMED"
    ) -> Event:  # datetimes, or dates for a whole-day event (date + MIN_LENGTH is the same date)
        ev = Event()
        ev.add("uid", f"{uid}@{host}")
        ev.add("summary", summary)
        ev.add("dtstart", start)
        ev.add("dtend", max(end, start + MIN_LENGTH))
        ev.add("dtstamp", now)
        ev.add("sequence", plan.revision)
        ev.add("description", description)
        ev.add("status", status)
        if plan.reminder_lead and status != "CANCELLED":
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", -plan.reminder_lead)
            ev.add_component(alarm)
        return ev

    dated = Q(due_offset__isnull=False) | Q(due_by__isnull=False)  # a clockless plan's items: due_by
    items = Item.objects.filter(dated, plan=plan, owner_role=role).order_by("due_by", "due_offset", "id")
    for item in items:
        due = item_due(plan, item.due_offset, item.due_by)
        if due is None:
            continue
        mark = {"done": "✓ ", "skipped": "(skipped) "}.get(item.status, "")
        start: date = due
        if item.due_all_day:  # a clockless plan's due date: an all-day event on that date
            start = date.fromisoformat(due_text(due, True, plan.zone))
        cal.add_component(
            event(
                f"item-{item.pk}",
                f"{mark}{fill_text(plan, item.title)}",
                start,
                start + timedelta(days=1) if item.due_all_day else due,
                f"{plan.name}: due for {role.name}. {item.section}".strip(),
                "CANCELLED" if item.status == "skipped" else "CONFIRMED",
            )
        )
    for step in Step.objects.filter(plan=plan, lead_role=role, recurring=False).order_by("offset", "id"):
        start = plan.at(step.offset)
        cal.add_component(
            event(
                f"step-{step.pk}",
                f"{'✓ ' if step.status == 'done' else ''}Step: {fill_text(plan, step.name)}",
                start,
                start + step.duration,
                f"{plan.name}: {role.name} leads this step. {fill_text(plan, step.description)}".strip(),
                "CANCELLED" if step.status == "skipped" else "CONFIRMED",
            )
        )
    for gate in _role_gates(plan, role):  # the go/no-go calls the role decides or votes in
        assert gate.offset is not None
        start = plan.at(gate.offset)
        part = "decides this gate" if gate.authority_role_id == role.pk else "votes in this gate's poll"
        mark = {"passed": "✓ ", "no_go": "NO-GO: "}.get(gate.status, "")
        summary = f"{mark}Gate: {fill_text(plan, gate.name)}"
        cal.add_component(event(f"gate-{gate.pk}", summary, start, start, f"{plan.name}: {role.name} {part}."))
    for ev in [*series_events(plan, role, event), *shift_events(plan, role, event)]:  # issue 16
        cal.add_component(ev)
    return cal.to_ical()


def _role_gates(plan: Plan, role: Role) -> list[Any]:
    """The plan's gates with a time that ``role`` decides or is polled in (1 query)."""
    from checklists.models import Gate

    return list(Gate.of_role(plan, role.pk).order_by("offset", "id"))
