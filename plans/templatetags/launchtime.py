"""Template filters for T-minus offsets and durations: ``{{ step.offset|offset }}`` -> ``T-6h``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from launchcontrol.dates import day_text
from plans.models import Plan
from plans.offsets import format_duration, format_offset
from plans.slips import planned_offset, slipped_by

if TYPE_CHECKING:
    from django.contrib.auth.models import User

register = template.Library()


@register.filter
def clock(moment: datetime | None, zone: Any) -> str:
    """``HH:MM`` in the plan's zone, with the weekday when not today (a vote cast yesterday does not read as a
    time still to come), and the date too when it is six days or more ahead (an end a week from now read "Sat
    10:36" on a Saturday, beside a T-0 of 10:36) or two days or more ago (a message due last Monday read "Mon
    14:15", like the coming Monday)."""
    return _clock(moment, zone, "%H:%M")


@register.filter
def clock_seconds(moment: datetime | None, zone: Any) -> str:
    """:func:`clock` to the second (``14:05:30``): readings a monitoring push records every few seconds."""
    return _clock(moment, zone, "%H:%M:%S")


def _clock(moment: datetime | None, zone: Any, time_format: str) -> str:
    if not isinstance(moment, datetime):
        return ""
    local = timezone.localtime(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    if local.date() == today:
        return local.strftime(time_format)
    if -2 < (local.date() - today).days < 6:
        return local.strftime(f"%a {time_format}")
    return f"{day_text(local)} {local.strftime(time_format)}"


@register.filter(name="offset")
def offset_filter(value: timedelta | None) -> str:
    return "" if value is None else format_offset(value)


@register.filter(name="planned")
def planned_filter(value: timedelta | None, plan: Plan) -> str:
    """``{{ step.offset|planned:plan }}``: the offset as planned, a hold's slip left out (plans.slips)."""
    return "" if value is None else format_offset(planned_offset(plan, value) or value)


@register.filter(name="at_offset")
def at_offset_filter(value: timedelta | None, plan: Plan) -> datetime | None:
    """``{{ gate.offset|at_offset:plan }}``: the moment of an offset (``Plan.at``: whole days are calendar days
    in the plan's zone; ``t0|add:offset`` put a T-2d gate an hour off across a clock change)."""
    return None if value is None else plan.at(value)


@register.filter(name="slipped")
def slipped_filter(plan: Plan) -> str:
    """``{{ plan|slipped }}``: how far holds have moved T-0 in all (``59s``), or "" if they have not."""
    total = slipped_by(plan)
    return format_duration(total) if total else ""


@register.filter(name="duration")
def duration_filter(value: timedelta | None) -> str:
    return "" if value is None else format_duration(value)


@register.filter(name="person")
def person_filter(user: User | None, default: str = "") -> str:
    """A user's full name, else username; ``default`` (e.g. "unassigned") for nobody."""
    if user is None or not getattr(user, "pk", None):
        return default
    return user.get_full_name() or user.get_username()


@register.filter(name="owner")
def owner_filter(user: User | None, default: str = "") -> str:
    """A role holder's name as ``person`` gives it; a deactivated account's marked "(inactive)" and muted
    (nothing is sent to them: the role needs someone)."""
    name = person_filter(user, default)
    if user is None or getattr(user, "is_active", True):
        return name
    return format_html('<span class="person-inactive" title="Account deactivated">{} (inactive)</span>', name)


@register.filter(name="signed_duration")
def signed_duration_filter(value: timedelta | None) -> str:
    """A slip: ``+40m`` late, ``-30m`` early, ``on time`` for none."""
    if value is None or abs(value.total_seconds()) < 60:
        return "on time"
    sign = "+" if value.total_seconds() > 0 else "-"
    return f"{sign}{format_duration(timedelta(minutes=int(abs(value.total_seconds()) // 60)))}"


@register.filter(name="since")
def since_filter(moment: datetime | None, now: datetime | None = None) -> str:
    """When something began, in the current time zone: ``14:05 UTC`` if that was today, else with its day
    (``Thu 26 Nov 23:50 UTC``): a hold that began before midnight must not read as one of this afternoon."""
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localtime(now or timezone.now()).date()
    return date_format(local, "H:i T" if local.date() == today else "D j M H:i T")
