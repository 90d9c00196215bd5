"""Login throttling (django-axes): per account and per address, for the site login and the admin login.

Every failed sign-in is an ``axes.AccessAttempt`` row per (username, address, user agent). A sign-in is
refused, the right password included, while in the last ``AXES_COOLOFF_TIME`` (15 minutes) there were

- ``AXES_FAILURE_LIMIT`` (10) failures for the account, from any address (this covers the account and
  address combination too), or
- ``LOGIN_ADDRESS_FAILURE_LIMIT`` (30) failures from the address, over every account: higher, because a
  whole office (or a reverse proxy) can share one address, and a password spray across accounts is
  still stopped.

Each failure while locked restarts the cool-off, so a lock lasts until 15 minutes after the last try.
A successful sign-in forgets that account's failures from that address only. ``manage.py axes_reset``
(everything), ``axes_reset_username NAME`` and ``axes_reset_ip ADDRESS`` lift a lock at once.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def address_failure_limit() -> int:
    return int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 30))


class ThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: the account's failures count in full, the address's are
    scaled so that the address is locked at ``LOGIN_ADDRESS_FAILURE_LIMIT``."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        limit = get_failure_limit(request, credentials)

        def total(q: Q) -> int:
            return int(recent.filter(q).aggregate(n=Sum("failures_since_start"))["n"] or 0)

        by_account = total(Q(username=username)) if username else 0
        address = request.axes_ip_address  # type: ignore[attr-defined]  # axes sets it on the request
        by_address = total(Q(ip_address=address)) if address else 0
        scaled = math.floor(by_address * limit / max(address_failure_limit(), limit))
        return max(by_account, scaled)


def locked_until(request: HttpRequest, credentials: dict | None) -> datetime | None:
    """When the lock ends: the cool-off after the latest failure that counts against this sign-in."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    username = get_client_username(request, credentials)
    q = Q(ip_address=getattr(request, "axes_ip_address", None))
    if username:
        q |= Q(username=username)
    last = AccessAttempt.objects.filter(q).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in page again, saying that sign-in is locked and when to try again (429)."""
    until = locked_until(request, credentials)
    minutes = None
    if until is not None:
        minutes = max(1, math.ceil((until - timezone.now()) / timedelta(minutes=1)))
    context = {
        "until": until,
        "minutes": minutes,
        "admin": request.path.startswith("/admin/"),
    }
    response = render(request, "registration/locked.html", context, status=429)
    if minutes is not None:
        response["Retry-After"] = str(minutes * 60)
    return response
