"""The API's rate limit: ``API_RATE_LIMIT`` calls per token per minute (120 by default), counted in the
cache (Redis in production: shared by every worker). Past it: 429 with ``Retry-After``."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)
WINDOW = 60  # seconds


def rate_limit() -> int:
    return int(getattr(settings, "API_RATE_LIMIT", 120))


def retry_after(token_id: int) -> int | None:
    """Count one call for the token; the seconds until its window ends if it is over the limit, else None.
    A cache that is down lets the call through (and says so once in the log): the token is still checked."""
    now = time.time()
    window = int(now // WINDOW)
    key = f"api:rate:{token_id}:{window}"
    try:
        cache.add(key, 0, timeout=WINDOW * 2)
        count = cache.incr(key)
    except Exception:  # the cache is down: availability over the limit
        log.warning("API rate limit not applied: the cache is unavailable", exc_info=False)
        return None
    if count <= rate_limit():
        return None
    return max(1, math.ceil((window + 1) * WINDOW - now))
