"""The launch clock in templates (rules in :mod:`plans.clock`): ``{{ since_t0|countdown }}``,
``{{ hold.started_at|timer:now }}``, ``{{ issue.respond_by|deadline:now }}``, and ``{{ moment|ms }}``, the
epoch milliseconds ``static/js/clock.js`` ticks from (``data-t0``, ``data-server-now``, ...)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template

from plans.clock import format_countdown, format_deadline, format_timer

register = template.Library()


@register.filter
def ms(moment: datetime | None) -> str:
    return str(int(moment.timestamp() * 1000)) if isinstance(moment, datetime) else ""


@register.filter
def countdown(since_t0: timedelta | None) -> str:
    """``T-01:02:03`` for a clock standing ``since_t0`` after T-0 (negative before)."""
    return format_countdown(since_t0) if isinstance(since_t0, timedelta) else ""


@register.filter
def timer(start: datetime | None, now: datetime | None) -> str:
    """How long since ``start``, as the board's timers tick it: ``07:05``, ``1:02:03``."""
    if not isinstance(start, datetime) or not isinstance(now, datetime):
        return ""
    return format_timer(now - start)


@register.filter
def deadline(moment: datetime | None, now: datetime | None) -> str:
    """Time left until ``moment`` (``04:59``), or how far past it (``+01:02``)."""
    if not isinstance(moment, datetime) or not isinstance(now, datetime):
        return ""
    return format_deadline(moment - now)
