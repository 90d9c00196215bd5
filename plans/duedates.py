"""Absolute due dates of a clockless plan's items (a plan with no T-0 cannot place anything by an offset).

A plan file writes ``due_date: 2026-12-01`` (due by the end of that day in the plan's zone: late from the
midnight after it) or ``due_date: 2026-12-01T17:00`` (late from 17:00 in the plan's zone). The item keeps
the moment it is late from (``Item.due_by``, UTC) and whether it was a whole day (``Item.due_all_day``), so
the file exports as it was written.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from launchcontrol.dates import day_text, moment_text

from .localtime import local_moment

__all__ = ["DueDateError", "check_due_text", "due_label", "due_moment", "due_problem", "due_text"]

_DUE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$")
#: Years a due date may name (T-0's range: plans.validators.T0_MIN/T0_MAX).
_YEARS = range(2000, 2100)


class DueDateError(ValueError):
    pass


def _parts(text: str) -> tuple[date, time | None]:
    match = _DUE_RE.match(text.strip())
    if not match:
        raise DueDateError(f"malformed due date {text[:40]!r}: expected 2026-12-01 or 2026-12-01T17:00")
    year, month, day, hour, minute = match.groups()
    if int(year) not in _YEARS:
        raise DueDateError(f"due date {text[:40]!r} must lie between 2000-01-01 and 2099-12-31")
    try:
        day_part = date(int(year), int(month), int(day))
        time_part = None if hour is None else time(int(hour), int(minute))
    except ValueError as exc:
        raise DueDateError(f"due date {text[:40]!r}: {exc}") from None
    return day_part, time_part


def check_due_text(text: str) -> str:
    """The due date as written, checked (``2026-12-01`` or ``2026-12-01T17:00``); DueDateError otherwise."""
    _parts(text)
    return text.strip()


def due_moment(text: str, zone: tzinfo) -> tuple[datetime, bool]:
    """(the UTC moment the item is late from, whether it is a whole day) of a due date in ``zone``. A time
    the clocks skip is a DueDateError; one they pass twice is its first occurrence (plans.localtime)."""
    day_part, time_part = _parts(text)
    if time_part is None:
        local = datetime.combine(day_part + timedelta(days=1), time(0))
        return local.replace(tzinfo=zone).astimezone(UTC), True
    try:
        return local_moment(datetime.combine(day_part, time_part), zone).astimezone(UTC), False
    except ValueError as exc:
        raise DueDateError(f"due date {text.strip()[:40]!r}: {exc}") from None


def due_problem(text: str, zone: tzinfo) -> str | None:
    """Why the due date ``text`` names no moment in ``zone`` (a time the clocks skip), or None."""
    try:
        due_moment(text, zone)
    except DueDateError as exc:
        return str(exc)
    return None


def _day(moment: datetime, zone: tzinfo) -> date:
    """The date a whole-day due moment (the midnight after it) ends: noon before it, whatever the zone did."""
    return (timezone.localtime(moment, zone) - timedelta(hours=12)).date()


def due_text(moment: datetime, all_day: bool, zone: tzinfo) -> str:
    """The inverse of :func:`due_moment`: what a plan file says (``2026-12-01`` / ``2026-12-01T17:00``)."""
    if all_day:
        return f"{_day(moment, zone):%Y-%m-%d}"
    return f"{timezone.localtime(moment, zone):%Y-%m-%dT%H:%M}"


def due_label(moment: datetime, all_day: bool, zone: tzinfo) -> str:
    """For people: ``Tue 1 Dec`` (by the end of that day) or ``Tue 1 Dec 17:00 GMT``."""
    if all_day:
        return day_text(_day(moment, zone))
    return moment_text(timezone.localtime(moment, zone))
