"""Limits on the public subscribe form, counted in the cache (Redis): per client address
(``launchcontrol.clientip``: the proxy-aware one) and per subscriber address. Past the address limit the
form says so (429); past the per-subscriber one it answers as always and sends nothing, so the answer
never tells whether an address is known. With the cache unreachable the per-client limit is not applied
(logged) and the database's minimum interval between two confirmations of one address still holds."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

WINDOW = 3600


def per_client() -> int:
    return int(getattr(settings, "STATUS_SUBSCRIBE_PER_CLIENT", 10))


def per_address() -> int:
    return int(getattr(settings, "STATUS_SUBSCRIBE_PER_ADDRESS", 3))


def _count(key: str) -> int | None:
    try:
        cache.add(key, 0, timeout=WINDOW)
        return int(cache.incr(key))
    except Exception as exc:
        log.warning("statuspage: subscribe limit not applied, the cache is unavailable (%s)", type(exc).__name__)
        return None


def client_allowed(plan_slug: str, client: str | None) -> bool:
    """Count one subscribe attempt from ``client``; False once past the hourly limit."""
    digest = hashlib.sha256((client or "unknown").encode()).hexdigest()[:32]
    n = _count(f"statuspage:sub:client:{plan_slug}:{digest}")
    return n is None or n <= per_client()


def address_allowed(plan_slug: str, address: str) -> bool:
    """Count one confirmation asked for ``address``; False once past the hourly limit."""
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    n = _count(f"statuspage:sub:address:{plan_slug}:{digest}")
    return n is None or n <= per_address()
