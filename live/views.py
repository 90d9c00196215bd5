"""The stream endpoints: one per open page, for a signed-in member (session), a kiosk link, or anyone
(the public status page: no session read, and the plan's public check kept a few seconds per process, so a
crowd reconnecting at once costs one query per plan, not one per visitor).

Credentials are checked once, when the stream opens, in a worker thread that closes its database
connection before the stream starts: an open stream holds no connection. A stream lasts
``LIVE_STREAM_MAX_SECONDS`` and the browser reconnects, so a sign-out ends it within that time (the page's
own fragment requests are refused at once anyway); a revoked kiosk link's stream ends at once.

Under WSGI (gunicorn, ``runserver``, the test live server) a stream would hold a worker thread for its
whole life: the endpoint answers a short plain-text 200 instead, which the browser's EventSource refuses
(not ``text/event-stream``), and the page keeps polling (it tries the stream again later, backing off to
once every 30 s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from communications.selectors import public_plan
from plans.kiosk import kiosk_link_id
from plans.models import Plan
from plans.selectors import DatesOutOfRange, plan_for

from .listening import close_idle_connections
from .push import board_token_plan
from .stream import stream_response

#: What opening a stream checked: the plan, its revision, a board's screen token (or ""), a kiosk link's id (or 0).
Opened = tuple[int, int, str, int]

#: Streams whose credentials are being checked at once, per process (each check holds a database
#: connection for a moment): the rest wait their turn, holding nothing.
OPENING = threading.BoundedSemaphore(4)

NOT_HERE = "This server does not stream (WSGI, or LIVE_STREAMS is off): the page polls.\n"


def streaming_here(request: HttpRequest) -> bool:
    return isinstance(request, ASGIRequest) and bool(getattr(settings, "LIVE_STREAMS", True))


def _member_plan(request: HttpRequest, slug: str) -> Opened:
    """The plan, its revision and, for a board (``?board=<its screen token>``, the token its fetches carry),
    the token when it is good for this plan: that stream gets the board pushed (live.push)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in to follow this plan.")
    plan = plan_for(request.user, slug, allow_out_of_range=True)  # type: ignore[arg-type]
    token = request.GET.get("board", "")
    board = token if token and board_token_plan(token) == plan.pk else ""  # else a plain stream: it fetches
    return plan.pk, plan.revision, board, 0


def _kiosk_plan(token: str) -> Opened:
    """A kiosk's stream is a plain one: its board fetches, and each fetch checks the link (revoked at once);
    the hub ends the stream itself when the link is revoked (``Hub._check_kiosks``)."""
    link_id = kiosk_link_id(token)
    row = (
        Plan.objects.filter(
            kiosk_links__pk=link_id,
            kiosk_links__revoked_at__isnull=True,
            kiosk_links__expires_at__gt=timezone.now(),
        )
        .order_by()
        .values_list("pk", "revision")
        .first()
    )
    if row is None:
        raise PermissionDenied("This kiosk link has been revoked or has expired.")
    return (*row, "", link_id)


#: Public plans checked lately, per process: slug -> (checked at, (plan id, revision)).
_PUBLIC: dict[str, tuple[float, tuple[int, int]]] = {}
PUBLIC_CHECK_SECONDS = 5.0


def _public_plan(slug: str) -> Opened:
    """A plan whose status page is public (a draft's is not: 404). The revision may be a few seconds old:
    the hub knows the current one, and the page fetches once when they differ."""
    hit = _PUBLIC.get(slug)
    if hit is not None and time.monotonic() - hit[0] < PUBLIC_CHECK_SECONDS:
        return (*hit[1], "", 0)
    plan = public_plan(slug)
    if len(_PUBLIC) > 1000:
        _PUBLIC.clear()
    _PUBLIC[slug] = (time.monotonic(), (plan.pk, plan.revision))
    return plan.pk, plan.revision, "", 0  # a plain stream: the status page fetches its cached parts


def forget_public() -> None:
    """Drop this process's public checks (the tests' cache reset)."""
    _PUBLIC.clear()


async def _open(request: HttpRequest, check: Callable[..., Opened], *args: Any) -> HttpResponseBase:
    streaming = streaming_here(request)

    def checked() -> Opened:
        try:
            with OPENING:  # a thousand screens reconnecting at once must not open a thousand connections
                return check(*args)
        finally:
            if streaming:  # the stream must not hold this request thread's connection for its whole life
                close_idle_connections()

    try:
        plan_id, revision, board, kiosk = await sync_to_async(checked)()
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
    except Http404:
        return HttpResponse("No such plan.", status=404, content_type="text/plain; charset=utf-8")
    except DatesOutOfRange:
        return HttpResponse("This plan's dates are out of range.", status=409, content_type="text/plain; charset=utf-8")
    if not streaming:
        # Not an event stream: the browser's EventSource gives up on it, and the page polls.
        return HttpResponse(NOT_HERE, content_type="text/plain; charset=utf-8")
    return stream_response(plan_id, revision, board, kiosk)


@require_GET
async def plan_stream(request: HttpRequest, plan: str) -> HttpResponseBase:
    return await _open(request, _member_plan, request, plan)


@require_GET
async def kiosk_stream(request: HttpRequest, token: str) -> HttpResponseBase:
    return await _open(request, _kiosk_plan, token)


@require_GET
async def status_stream(request: HttpRequest, plan: str) -> HttpResponseBase:
    """The public status page's stream: for anyone, without a session."""
    return await _open(request, _public_plan, plan)
