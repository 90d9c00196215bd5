"""How a moment is written in text people read (messages, event lines, reports): the day of the month
without a leading zero, as the pages write it (plans/templatetags/launchtime): ``Tue 1 Dec 10:00 UTC``."""

from __future__ import annotations

from datetime import date, datetime


def day_text(day: date, *, weekday: bool = True, year: bool = False) -> str:
    """``Tue 1 Dec``, ``Tue 1 Dec 2026`` (``year``), ``1 Dec`` (no ``weekday``)."""
    text = f"{day.day} {day:%b}" + (f" {day.year}" if year else "")
    return f"{day:%a} {text}" if weekday else text


def long_moment_text(local: datetime) -> str:
    """For customers: ``Tuesday 1 December 2026 at 12:00 UTC``."""
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M %Z}"


def moment_text(local: datetime, *, weekday: bool = True, year: bool = False, zone: bool = True) -> str:
    """A local moment: ``Tue 1 Dec 10:00 UTC``; ``year`` adds the year, no ``zone`` leaves the zone out."""
    return f"{day_text(local, weekday=weekday, year=year)} {local:%H:%M}" + (f" {local:%Z}" if zone else "")
