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
