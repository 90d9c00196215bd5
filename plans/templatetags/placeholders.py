"""``{{ step.action|fill:plan }}``: the plan's text with its placeholders' values (plans.runbook.fill).

Escapes the text and the values; a text that mentions no placeholder costs nothing (no query), and the
first one that does reads the plan's placeholders once for the whole page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from plans.models import Plan
from plans.runbook.fill import fill_html, fill_plain, mentions, placeholder_map

register = template.Library()


@register.filter(name="fill")
def fill_filter(value: object, plan: Plan | None) -> object:
    if not isinstance(value, str) or isinstance(value, SafeString) or plan is None or not mentions(value):
        return value
    return fill_html(value, placeholder_map(plan))


@register.filter(name="fill_plain")
def fill_plain_filter(value: object, plan: Plan | None) -> object:
    """The same as plain text (for an attribute: ``title``, ``aria-label``); autoescape escapes it."""
    if not isinstance(value, str) or plan is None or not mentions(value):
        return value
    return fill_plain(str(value), placeholder_map(plan))
