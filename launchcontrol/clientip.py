"""The address a request came from, for the login throttle (django-axes ``AXES_CLIENT_IP_CALLABLE``).

Behind a reverse proxy every request arrives from the proxy, so ``REMOTE_ADDR`` alone would throttle a
whole war room as one address (and lock everyone out after 30 failures). ``TRUSTED_PROXY_COUNT`` says how
many proxies in front of the app append to ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``):
the client is the entry that many places from the right. Entries further left were written by the client
and are never believed. With the default 0, or a header too short or not an address, ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0)))


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = trusted_proxy_count()
    if not count:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
