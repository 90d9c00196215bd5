"""Filters for the big screen: plan-local clock times, numbers and units. The T-minus clock, timers and
the epoch milliseconds the browser ticks from are in ``launchclock``; offsets in ``launchtime``."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django import template
from django.utils import timezone

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
    """A Decimal without trailing zeros."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text


@register.filter
def unit(text: str | None) -> str:
    """A unit as it follows a number: ``ms``, ``s`` and ``%`` stick to it (410ms, 0.1%); a word gets a
    space (1000 users)."""
    text = (text or "").strip()
    if not text:
        return ""
    return text if len(text) <= 2 or not text[0].isalpha() else f" {text}"
