"""Filters for the big screen: plan-local clock times, numbers and units. The T-minus clock, timers and
the epoch milliseconds the browser ticks from are in ``launchclock``; offsets in ``launchtime``."""

from __future__ import annotations

from django import template

from plans.forecast import Forecast
from plans.numbers import format_number, format_quantity
from plans.templatetags.launchtime import clock
from warroom.steps import ForecastLines

register = template.Library()


# ``HH:MM`` in the plan's zone, with the weekday when not today: one rule with the plan's pages (launchtime).
register.filter("clock", clock)


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


@register.filter
def forecast_lines(forecast: Forecast) -> ForecastLines:
    """``{% with lines=b.forecast|forecast_lines %}``: the forecast panel's lines and the rest, by kind."""
    return ForecastLines.of(forecast)
