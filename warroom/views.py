"""The war-room board: a page, a poll endpoint answered 304 from the plan's revision alone, and the
same for a kiosk link (a signed, revocable URL for a TV that cannot sign in).

The poll endpoints touch neither the session nor the user: the signed-in board carries a signed
*screen token* naming the plan (made when the page was loaded by a signed-in viewer), so an unchanged
poll costs one query (the plan's revision) and no rendering. A changed board is rendered once per
(revision, minute) and served to every screen from the cache.
"""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse
from plans.kiosk import kiosk_link_for, kiosk_link_id, kiosk_token
from plans.models import KioskLink, Plan, link_days_default, link_days_max
from plans.permissions import can_coordinate, require_coordinator
from plans.runbook.selectors import pullable_triggers
from plans.screens import screen_plan_id, screen_token
from plans.services import kiosk_create, kiosk_revoke
from plans.viewtools import member_plan
from roles.contacts import plan_contacts

from . import selectors
from .buckets import CACHE_SECONDS, current_bucket, remember_deadlines

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


log = logging.getLogger(__name__)


# --- Rendering once per (revision, minute) -------------------------------------------------------------


def cache_key(plan_id: int, revision: int, bucket: int) -> str:
    return f"warroom:board:{plan_id}:{revision}:{bucket}"


def render_board(plan: Plan, board: selectors.Board | None = None) -> str:
    return render_to_string("warroom/_board.html", {"b": board or selectors.board(plan)})


def _render_entry(plan_id: int) -> tuple[str, bytes]:
    plan = Plan.objects.select_related("coordinator").get(pk=plan_id)
    board = selectors.board(plan)
    html = render_board(plan, board)
    remember_deadlines(plan, board)  # from what the render read: its steps and trigger states
    return html, gzip.compress(html.encode(), compresslevel=6, mtime=0)


def board_entry(plan_id: int, revision: int, bucket: int) -> tuple[str, bytes]:
    """The board's fragment for this (revision, bucket), as text and gzipped: from the cache, or
    rendered once. A screen that finds another one rendering waits briefly for its bytes instead of
    rendering too. With the cache unreachable (Redis stopped) every screen renders for itself: slower,
    never broken."""
    key = cache_key(plan_id, revision, bucket)
    try:
        entry = cache.get(key)
        if entry is not None:
            return entry
        lock = f"{key}:lock"
        if not cache.add(lock, 1, timeout=10):
            for _ in range(40):
                time.sleep(0.025)
                entry = cache.get(key)
                if entry is not None:
                    return entry
    except Exception as exc:  # one line per render, not a traceback: the outage is one fact, not a bug
        log.warning("warroom: cache unreachable (%s: %s); rendering the board without it", type(exc).__name__, exc)
        return _render_entry(plan_id)
    try:
        entry = _render_entry(plan_id)
        try:
            cache.set(key, entry, timeout=CACHE_SECONDS)
        except Exception as exc:
            log.warning("warroom: could not store the board in the cache (%s: %s)", type(exc).__name__, exc)
    finally:
        try:
            cache.delete(lock)
        except Exception as exc:
            log.warning("warroom: could not release the render lock (%s: %s)", type(exc).__name__, exc)
    return entry


def board_html(plan_id: int, revision: int, bucket: int) -> str:
    return board_entry(plan_id, revision, bucket)[0]


def fragment_response(request: HttpRequest, state: tuple[int, int, int]) -> HttpResponse:
    """The same bytes for every screen; gzipped (a sixth of the size) for those that accept it."""
    html, packed = board_entry(*state)
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(packed, content_type="text/html; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(html)
    response["Vary"] = "Accept-Encoding"
    return response


def etag(plan_id: int, revision: int, bucket: int) -> str:
    return f'"{plan_id}.{revision}.{bucket}"'


# --- Screen tokens and the poll endpoints ------------------------------------------------------------


_VERIFIED: dict[str, tuple[float, int]] = {}  # screen token -> (verified at, plan id), per process
# A verified screen token is trusted by this process for this long without asking the database again, so a
# sign-out, a deactivation or a password change refuses the token within this window on every process.
SCREEN_RECHECK_SECONDS = 60.0


def _screen_plan_id(token: str) -> int:
    """The plan a screen token names. Checked against the database (session still signed in, user active:
    ``plans.screens``) at most once a minute per token and process: one query a minute, not one a poll."""
    now = time.time()
    hit = _VERIFIED.get(token)
    if hit is not None and 0 <= now - hit[0] < SCREEN_RECHECK_SECONDS:
        return hit[1]
    _VERIFIED.pop(token, None)
    plan_id = screen_plan_id(token)
    _remember(token, plan_id, now)
    return plan_id


def _remember(token: str, plan_id: int, now: float) -> None:
    if len(_VERIFIED) > 10_000:
        _VERIFIED.clear()
    _VERIFIED[token] = (now, plan_id)


# Revisions read in the last fraction of a second, per process: under a thousand screens most polls then
# cost no query at all. A screen that shows a newer revision than the one remembered here (it polled
# another worker) makes this one read the database again, so a board never steps back.
_REVISIONS: dict[tuple[str, str], tuple[float, int, int]] = {}


def revision_ttl() -> float:
    return float(getattr(settings, "WARROOM_REVISION_TTL", 0.5))


def _client_revision(request: HttpRequest) -> int:
    """The revision the polling screen already shows, from its If-None-Match ("plan.revision.bucket")."""
    try:
        return int(request.META.get("HTTP_IF_NONE_MATCH", "").strip().strip('"').split(".")[1])
    except (IndexError, ValueError):
        return -1


def _pushed_revision(request: HttpRequest) -> int:
    """The revision the push channel announced to this screen (static/js/live.js sends it): a fetch it
    triggers must never be answered from an older remembered revision."""
    try:
        return int(request.META.get("HTTP_X_LIVE_REVISION", "-1"))
    except ValueError:
        return -1


def _revision(
    request: HttpRequest, key: tuple[str, str], read: Callable[[], tuple[int, int] | None]
) -> tuple[int, int] | None:
    now = time.monotonic()
    hit = _REVISIONS.get(key)
    known = max(_client_revision(request), _pushed_revision(request))
    if hit is not None and now - hit[0] < revision_ttl() and known <= hit[2]:
        return hit[1], hit[2]
    row = read()  # the one cheap query
    if row is None:
        _REVISIONS.pop(key, None)
        return None
    _REVISIONS[key] = (now, row[0], row[1])
    return row


def _member_state(request: HttpRequest, plan: str) -> tuple[int, int, int]:
    state = getattr(request, "_warroom_state", None)
    if state is None:
        wanted = _screen_plan_id(request.GET.get("s", ""))
        row = _revision(
            request,
            ("plan", plan),
            lambda: Plan.objects.filter(slug=plan).order_by().values_list("pk", "revision").first(),
        )
        if row is None:
            raise Http404("No such plan.")
        if row[0] != wanted:
            raise PermissionDenied("This screen token is for another plan.")
        state = (row[0], row[1], current_bucket(row[0], row[1]))
        request._warroom_state = state  # type: ignore[attr-defined]
    return state


def _kiosk_state(request: HttpRequest, token: str) -> tuple[int, int, int]:
    state = getattr(request, "_warroom_state", None)
    if state is None:
        link_id = kiosk_link_id(token)
        # Always the database (one query), never the revision micro-cache: a revoked or expired link is
        # refused on its very next poll. Kiosks are a few TVs, so this costs little.
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
        state = (row[0], row[1], current_bucket(row[0], row[1]))
        request._warroom_state = state  # type: ignore[attr-defined]
    return state


def _member_etag(request: HttpRequest, plan: str) -> str:
    return etag(*_member_state(request, plan))


def _kiosk_etag(request: HttpRequest, token: str) -> str:
    return etag(*_kiosk_state(request, token))


def live(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Stamp the server's clock (ms) on every answer, 304s included, so the browser computes its skew;
    and keep the browser's own cache out of the way (the page sends If-None-Match itself)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Server-Now"] = str(int(time.time() * 1000))
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


@require_GET
@live
@condition(etag_func=_member_etag)
def board_fragment(request: HttpRequest, plan: str) -> HttpResponse:
    return fragment_response(request, _member_state(request, plan))


@require_GET
@live
@condition(etag_func=_kiosk_etag)
def kiosk_fragment(request: HttpRequest, token: str) -> HttpResponse:
    return fragment_response(request, _kiosk_state(request, token))


# --- Pages -----------------------------------------------------------------------------------------


def _board_page(request: HttpRequest, plan: Plan, *, poll_url: str, stream_url: str, kiosk: bool) -> HttpResponse:
    bucket = current_bucket()
    context = {
        "plan": plan,
        "fragment": board_html(plan.pk, plan.revision, bucket),
        "etag": etag(plan.pk, plan.revision, bucket),
        "poll_url": poll_url,
        "stream_url": stream_url,  # the push channel (live/): the poll above is its fallback
        "poll_seconds": settings.WARROOM_POLL_SECONDS,
        "kiosk": kiosk,
        "server_now": int(time.time() * 1000),
        "is_coordinator": not kiosk and can_coordinate(request.user, plan),
        "pullable": [] if kiosk else pullable_triggers(plan, request.user),
        "contacts": plan_contacts(plan),  # outside the cached fragment: the page, not every poll (issue 16)
    }
    response = render(request, "warroom/board.html", context)
    response["X-Server-Now"] = str(int(time.time() * 1000))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@member_plan
def board_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    token = screen_token(plan, user=request.user, session_key=request.session.session_key)
    _remember(token, plan.pk, time.time())  # this request just proved the session: no check on the next poll
    poll_url = reverse("warroom:fragment", args=[plan.slug]) + "?s=" + token
    # The stream carries the board itself (live.push), authorised by the same screen token as the fetches.
    stream_url = reverse("live:stream", args=[plan.slug]) + "?board=" + token
    return _board_page(request, plan, poll_url=poll_url, stream_url=stream_url, kiosk=False)


@require_GET
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    link = kiosk_link_for(token)
    return _board_page(
        request,
        link.plan,
        poll_url=reverse("warroom:kiosk_fragment", args=[token]),
        stream_url=reverse("live:kiosk_stream", args=[token]),
        kiosk=True,
    )


@login_required
@member_plan
def kiosk_links(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    require_coordinator(request.user, plan)
    links = [
        (link, request.build_absolute_uri(reverse("warroom:kiosk", args=[kiosk_token(link)])))
        for link in KioskLink.objects.filter(plan=plan).select_related("created_by").order_by("-created_at")
    ]
    return render(
        request,
        "warroom/kiosks.html",
        {
            "plan": plan,
            "links": links,
            "now": timezone.now(),
            "default_days": link_days_default(),
            "max_days": link_days_max(),
        },
    )


@login_required
@require_POST
@member_plan
def kiosk_link_create(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    try:
        link = kiosk_create(plan, by=request.user, label=request.POST.get("label", ""), days=request.POST.get("days"))
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"Kiosk link “{link.label}” created.")
    return redirect("warroom:kiosks", plan.slug)


@login_required
@require_POST
@member_plan
def kiosk_link_revoke(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    link = get_object_or_404(KioskLink.objects.select_related("plan"), pk=pk, plan=plan)
    kiosk_revoke(link, by=request.user)
    messages.success(request, f"Kiosk link “{link.label}” revoked: that screen now shows an error.")
    return redirect("warroom:kiosks", plan.slug)
