"""What the views of one plan share: the URL's ``plan`` slug resolved into the Plan, with the check that
the signed-in person may see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .buckets import time_bucket
from .models import Plan
from .selectors import plan_for

View = Callable[..., HttpResponse]


@overload
def member_plan(view: View, /) -> View: ...


@overload
def member_plan(*, allow_out_of_range: bool = False) -> Callable[[View], View]: ...


def member_plan(view: View | None = None, /, *, allow_out_of_range: bool = False) -> View | Callable[[View], View]:
    """Call the view with the Plan its URL names (the ``plan`` slug) instead of the slug, as
    :func:`plans.selectors.plan_for` finds it for ``request.user``: 404 for no such plan or one they may not
    see; ``DatesOutOfRange`` (the 409 page, plans.middleware) for a plan whose dates cannot be computed,
    unless ``allow_out_of_range``. ``@member_plan`` or ``@member_plan(allow_out_of_range=True)``, below
    ``login_required`` and ``require_POST`` so that they answer first."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, plan: str, **kwargs: Any) -> HttpResponse:
            found = plan_for(request.user, plan, allow_out_of_range=allow_out_of_range)
            return view(request, *args, plan=found, **kwargs)

        return wrapper

    return decorate if view is None else decorate(view)


def live_etag(request: HttpRequest, plan: Plan, *, readings: bool = False) -> str:
    """A live part's ETag: the plan's revision, the time slot (``plans.buckets``: the minute, or the
    board's deadline that has just passed) and the viewer (the parts show what they may do). A part that shows
    no metric readings (``readings`` False) names the revision of the plan's last other change
    (``Plan.content_revision``): a monitoring push's reading every few seconds is a 304 for it, not a render."""
    revision = plan.revision if readings else plan.content_revision
    return f'"{plan.pk}.{revision}.{time_bucket(plan.pk, plan.revision)}.{getattr(request.user, "pk", 0) or 0}"'


def etag_matches(request: HttpRequest, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")}
    return etag in tags or "*" in tags


def _stamped(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"  # the page sends If-None-Match itself (static/js/live.js)
    return response


@overload
def live_page(view: View, /) -> View: ...


@overload
def live_page(*, readings: bool = False) -> Callable[[View], View]: ...


def live_page(view: View | None = None, /, *, readings: bool = False) -> View | Callable[[View], View]:
    """A page (or fragment) with live parts, below ``@member_plan``: a live part's fetch (an htmx GET,
    pushed or polled by static/js/live.js) carries the ETag it last saw and is answered ``304 Not Modified``
    while the plan's revision, the time slot and the viewer are unchanged: the plan's lookup, no rendering.
    A full page load always renders (its flash messages, its form). ``@live_page(readings=True)`` for a page
    that shows metric readings (a new reading is a change to it; see :func:`live_etag`)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, plan: Plan, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request") != "true":
                response = view(request, *args, plan=plan, **kwargs)
                patch_vary_headers(response, ["HX-Request"])
                return response
            etag = live_etag(request, plan, readings=readings)
            if etag_matches(request, etag):
                return _stamped(HttpResponse(status=304), etag)
            response = view(request, *args, plan=plan, **kwargs)
            patch_vary_headers(response, ["HX-Request"])
            return _stamped(response, etag) if response.status_code == 200 else response

        return wrapper

    return decorate if view is None else decorate(view)
