"""Placeholder values in the plan's text (issue 10): ``{{ incident_commander }}`` in a step's action, an
item's title or a checklist's description shows the value the team filled in, or, unfilled, a highlighted
``[Incident commander — not set]``.

The text in the database stays as written (the exporter prints it back byte for byte); substitution
happens when a page shows it. A mention is ``{{ name }}`` (spaces inside the braces optional) where ``name``
is a placeholder the plan declares; anything else between double braces is left as written. Every piece of
the text and every value is escaped (both are untrusted); a filled link becomes a link only when it is an
http(s) address. A plan's placeholders are read in one query, the first time a page shows a text that
mentions one, and kept on that plan object for the rest of the request (:func:`placeholder_map`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Placeholder, PlaceholderKind

if TYPE_CHECKING:
    from ..models import Plan

MENTION = re.compile(r"\{\{\s*([a-z0-9][a-z0-9_-]*)\s*\}\}")
_CACHE = "_placeholder_map"


def placeholder_map(plan: Plan) -> dict[str, Placeholder]:
    """The plan's placeholders by name (one query per plan object, then kept on it)."""
    cached = plan.__dict__.get(_CACHE)
    if cached is None:
        cached = {p.name: p for p in Placeholder.objects.filter(plan=plan).order_by("order", "id")}
        remember(plan, cached.values())
    return dict(cached)


def remember(plan: Plan, rows: Iterable[Placeholder]) -> None:
    """Keep placeholders a page has already read on ``plan`` so that substitution reads them no more."""
    plan.__dict__[_CACHE] = {p.name: p for p in rows}


def mentions(text: str) -> bool:
    return "{{" in text and MENTION.search(text) is not None


def unfilled_text(placeholder: Placeholder) -> str:
    return f"[{placeholder.title} — not set]"


def fill_plain(text: str, values: Mapping[str, Placeholder]) -> str:
    """The text with each mention replaced by its value (unfilled: ``[Label — not set]``), for plain-text
    uses (a message, a calendar entry). Not escaped: the caller's output escapes it or is plain text."""
    if "{{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        placeholder = values.get(match.group(1))
        if placeholder is None:
            return match.group(0)
        return placeholder.shown if placeholder.filled else unfilled_text(placeholder)

    return MENTION.sub(one, text)


def _html_value(placeholder: Placeholder) -> str:
    if not placeholder.filled:
        return format_html(
            '<mark class="ph ph-unfilled" title="A placeholder nobody has filled in yet: {}">{}</mark>',
            placeholder.name,
            unfilled_text(placeholder),
        )
    if placeholder.secret:  # a route's webhook URL or key: never on a page
        return format_html('<span class="ph ph-secret" title="{}">[secret]</span>', placeholder.title)
    value = placeholder.value
    if placeholder.kind == PlaceholderKind.LINK and value.lower().startswith(("https://", "http://")):
        return format_html(
            '<a class="ph ph-filled" href="{}" rel="noopener noreferrer" title="{}">{}</a>',
            value,
            placeholder.title,
            value,
        )
    return format_html('<span class="ph ph-filled" title="{}">{}</span>', placeholder.title, value)


def fill_html(text: str, values: Mapping[str, Placeholder]) -> SafeString:
    """The text, escaped, with each mention replaced by its escaped value in a ``<span>`` (a link for an
    http(s) link placeholder) or, unfilled, a highlighted ``<mark>``."""
    out: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        placeholder = values.get(match.group(1))
        if placeholder is None:
            continue
        out.append(escape(text[last : match.start()]))
        out.append(_html_value(placeholder))
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def fill_text(plan: Plan, text: str) -> str:
    """The text with its placeholders' values as plain text (reminders, calendar entries); reads the
    plan's placeholders only if the text mentions one."""
    return fill_plain(text, placeholder_map(plan)) if mentions(text) else text
