"""The review's spellings (review.report.text) as template filters."""

from __future__ import annotations

from datetime import timedelta

from django import template

from ..report import text

register = template.Library()


@register.filter
def signed(value: timedelta | None) -> str:
    return text.signed(value)


@register.filter
def span(value: timedelta | None) -> str:
    return text.span(value)


@register.filter
def held(value: timedelta | None) -> str:
    return text.held(value)


@register.filter
def verdict(value: str) -> str:
    return text.VERDICT.get(value, value)


@register.filter
def outcome(value: str) -> str:
    return text.OUTCOME.get(value, value)


@register.filter
def quantity(value: object, unit: str = "") -> str:
    return text.quantity(value, unit)


@register.filter
def when(value: object, plan: object) -> str:
    from datetime import datetime

    from plans.models import Plan

    if not isinstance(plan, Plan) or not isinstance(value, datetime):
        return "—"
    return text.when(plan, value)
