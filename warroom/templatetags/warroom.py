"""Filters for the big screen: plan-local clock times, numbers and units. The T-minus clock, timers and
the epoch milliseconds the browser ticks from are in ``launchclock``; offsets in ``launchtime``."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django import template
from django.utils import timezone

from plans.numbers import format_number, format_quantity

register = template.Library()


@register.filter
def clock(moment: datetime | None, zone: tzinfo | None) -> str:
    """``HH:MM`` in the plan's zone, with the weekday when not today."""
    if not isinstance(moment, datetime):
        return ""
    local = timezone.localtime(moment, zone)
    today = timezone.localtime(timezone.now(), zone).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%a %H:%M")


@register.filter
def num(value: object) -> str:
    """A number as people write it (plans.numbers): ``4.1E+2`` reads ``410``, ``1E+3`` reads ``1,000``."""
    return format_number(value)


@register.filter
def unit(text: str | None) -> str:
    """A unit as it follows a number: always after a space (``410 ms``, ``99.9 %``, ``1,000 users``)."""
    text = (text or "").strip()
    return f" {text}" if text else ""


@register.filter
def quantity(value: object, unit: str | None) -> str:
    """``{{ reading.value|quantity:metric.unit }}`` -> ``410 ms`` (plans.numbers.format_quantity)."""
    return format_quantity(value, unit)
