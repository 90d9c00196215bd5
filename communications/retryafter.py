"""A receiver's ``Retry-After`` (RFC 9110 §10.2.3), which a webhook retry honours (communications.channels)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.utils import timezone

#: The longest Retry-After honoured (seconds): a receiver cannot park a delivery for a day.
RETRY_AFTER_MAX = 3600


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """``Retry-After`` (RFC 9110 §10.2.3) as seconds from now: delay-seconds or an HTTP date; None if it is
    neither. Capped at ``RETRY_AFTER_MAX``; a date in the past is 0."""
    text = value.strip()
    if text.isdigit():
        seconds = float(int(text))
    else:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = max((moment - (now or timezone.now())).total_seconds(), 0.0)
    return min(seconds, RETRY_AFTER_MAX)
