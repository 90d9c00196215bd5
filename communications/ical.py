"""Per-role iCalendar feeds: a role's items and steps as events, for a calendar app that cannot sign in.

The URL carries a signed token naming (plan, role); UIDs are stable (``item-<id>@…``) and every event's
SEQUENCE is the plan's revision, so a subscribed calendar follows holds and re-baselines.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from plans.models import Plan
from roles.models import Role

SALT = "communications.ical"
MIN_LENGTH = timedelta(minutes=15)


def feed_token(role: Role) -> str:
    return signing.Signer(salt=SALT).sign_object([role.plan_id, role.pk])


def role_from_token(plan: Plan, token: str) -> Role | None:
    try:
        plan_id, role_id = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if plan_id != plan.pk:
        return None
    return Role.objects.filter(pk=role_id, plan=plan).first()


def feed_path(role: Role, plan: Plan) -> str:
    return reverse("communications:ical", args=[plan.slug, feed_token(role)])


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

    def event(uid: str, summary: str, start, end, description: str, status: str = "CONFIRMED") -> Event:
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

    items = Item.objects.filter(plan=plan, owner_role=role, due_offset__isnull=False).order_by("due_offset", "id")
    for item in items:
        if item.due_offset is None:
            continue
        due = plan.t0 + item.due_offset
        mark = {"done": "✓ ", "skipped": "(skipped) "}.get(item.status, "")
        cal.add_component(
            event(
                f"item-{item.pk}",
                f"{mark}{item.title}",
                due,
                due,
                f"{plan.name}: due for {role.name}. {item.section}".strip(),
                "CANCELLED" if item.status == "skipped" else "CONFIRMED",
            )
        )
    for step in Step.objects.filter(plan=plan, lead_role=role).order_by("offset", "id"):
        start = plan.t0 + step.offset
        cal.add_component(
            event(
                f"step-{step.pk}",
                f"{'✓ ' if step.status == 'done' else ''}Step: {step.name}",
                start,
                start + step.duration,
                f"{plan.name}: {role.name} leads this step. {step.description}".strip(),
                "CANCELLED" if step.status == "skipped" else "CONFIRMED",
            )
        )
    return cal.to_ical()
