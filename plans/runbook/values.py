"""Checking a placeholder's value: untrusted text, bounded; a link is an http(s) URL, a number a number,
a date an ISO date (``2026-12-06``, or with a time)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from ..validators import BoundsError, check_number, clean_text
from .models import PlaceholderKind

VALUE_MAX = 2000


def placeholder_value(kind: str, value: object, *, field: str = "value") -> str:
    """The cleaned value (empty: unfilled), or BoundsError saying why it is refused."""
    text = clean_text(value if isinstance(value, str) else str(value), max_length=VALUE_MAX, field=field)
    if not text:
        return ""
    if kind == PlaceholderKind.LINK:
        parts = urlsplit(text)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in text):
            raise BoundsError(f"{field}: a link must be an http:// or https:// address, not “{text[:80]}”")
    elif kind == PlaceholderKind.NUMBER:
        check_number(text, max_digits=30, decimal_places=10, field=field)
    elif kind == PlaceholderKind.DATE:
        try:
            (datetime if "T" in text or " " in text else date).fromisoformat(text)
        except ValueError:
            raise BoundsError(
                f"{field}: expected a date such as 2026-12-06 or 2026-12-06T06:00, not “{text[:40]}”"
            ) from None
    return text
