"""A write sent after its sender was signed out (in another tab, or the session expired) loses nothing.

``login_required`` answers such a POST with a redirect to the sign-in page whose ``next`` is the POST-only
address the form was sent to: after signing in, the browser asked for it with a GET (a blank 405), and what
was typed was gone; an htmx row swapped the whole sign-in page into itself. Here the answer is the sign-in
page with a warning that nothing was saved and ``next`` pointing back at the page the form was on, whose
form gets what was typed back (:mod:`launchcontrol.kept`; signing in keeps the session's data); an htmx
request is told to load that sign-in page in full (``HX-Redirect``) instead of swapping it in.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from .kept import keep_typed

SIGNED_OUT = (
    "You were signed out, so nothing was saved. Sign in, then send it again: anything you typed will be back in "
    "its form."
)


class SignedOutWriteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_out = request.method == "POST" and user is not None and not user.is_authenticated
        response = self.get_response(request)  # (a sign-out's own redirect: it was signed in when it came)
        if not signed_out or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login or request.path == login:
            return response
        page = _page_of_the_form(request)
        keep_typed(request, page=urlsplit(page).path)
        messages.warning(request, SIGNED_OUT)
        target = f"{login}?{urlencode({'next': page})}"
        if request.headers.get("HX-Request") == "true":
            answer = HttpResponse(status=204)
            answer["HX-Redirect"] = target
            return answer
        response["Location"] = target
        return response


def _page_of_the_form(request: HttpRequest) -> str:
    """The page the form was posted from (the Referer, on this site), else the home page."""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"
