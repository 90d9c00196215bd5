"""Filters for the big screen: epoch milliseconds for the browser's tickers, plan-local clock times,
compact offsets and durations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

from plans.offsets import format_duration, format_offset

register = template.Library()


@register.filter
def ms(moment: datetime | None) -> str:
    return str(int(moment.timestamp() * 1000)) if isinstance(moment, datetime) else ""


@register.filter
def offset(delta: timedelta | None) -> str:
    return format_offset(delta) if isinstance(delta, timedelta) else ""


@register.filter
def dur(delta: timedelta | None) -> str:
    return format_duration(delta) if isinstance(delta, timedelta) else ""


@register.filter
def clock(moment: datetime | None, zone) -> str:
    """``HH:MM`` in the plan's zone, with the weekday when not today."""
    if not isinstance(moment, datetime):
        return ""
    local = timezone.localtime(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%a %H:%M")


@register.filter
def num(value) -> str:
    """A Decimal without trailing zeros."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text


@register.filter
def tclock(delta: timedelta | None) -> str:
    """The board's clock as the browser draws it: ``T-01:02:03``, ``T+2d 04:00:00``."""
    if not isinstance(delta, timedelta):
        return ""
    seconds = delta.total_seconds()
    total = int(-seconds) + (1 if -seconds % 1 else 0) if seconds < 0 else int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"T{'-' if seconds < 0 else '+'}{f'{days}d ' if days else ''}{hours:02d}:{minutes:02d}:{secs:02d}"


@register.filter
def unit(text: str | None) -> str:
    """A unit as it follows a number: ``ms``, ``s`` and ``%`` stick to it (410ms, 0.1%); a word gets a
    space (1000 users)."""
    text = (text or "").strip()
    if not text:
        return ""
    return text if len(text) <= 2 or not text[0].isalpha() else f" {text}"
