"""What a person typed into a form the server refused comes back in that form.

Most writes answer with a redirect (post, redirect, get): a refusal is a flash message above the page the form
is on, and without this the text typed into it (an incident update for customers, a resolution, a reason)
would be gone. :func:`refuse` says why and keeps what was posted, in the session, for the next page that
person loads; :func:`kept_typed` (a context processor) hands it to that page once, and static/js/ui.js puts
it back into the form posted to the same address, opening the fold it is in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest

SESSION_KEY = "lc_kept"
#: Never kept: the CSRF token, and anything secret.
_SKIP = ("csrfmiddlewaretoken",)
_SECRET = ("password", "secret", "token")
_FIELD_MAX, _TOTAL_MAX = 10_000, 50_000


def refuse(request: HttpRequest, text: str) -> None:
    """A refused write: ``text`` as an error message, and the posted text kept for the form's page."""
    messages.error(request, text)
    keep_typed(request)


def keep_typed(request: HttpRequest, *, page: str = "") -> None:
    """Keep the fields of this POST (not the CSRF token, not a secret; each at most 10,000 characters,
    50,000 in all) for the next page this session loads, or for ``page`` (a path) when that is given: the
    sign-in page comes first after a write sent signed out (launchcontrol.signedout)."""
    if request.method != "POST" or not hasattr(request, "session"):
        return
    fields: dict[str, list[str]] = {}
    total = 0
    for name, values in request.POST.lists():
        if name in _SKIP or any(word in name.lower() for word in _SECRET) or len(name) > 100:
            continue
        kept = [v[:_FIELD_MAX] for v in values[:50]]
        total += sum(len(v) for v in kept)
        if total > _TOTAL_MAX:
            break
        fields[name] = kept
    if fields:
        request.session[SESSION_KEY] = {"action": request.path, "fields": fields, **({"page": page} if page else {})}


def keep_for(request: HttpRequest, action: str, fields: dict[str, str]) -> None:
    """Keep text for another form than the one posted, at ``action``: the posted form is gone (the issue it
    acted on moved on meanwhile), so what was typed goes where it can still be sent."""
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = {
            "action": action,
            "fields": {name: [value[:_FIELD_MAX]] for name, value in fields.items()},
        }


def kept_typed(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what :func:`keep_typed` kept, once, for a full page load (not an htmx fragment). A
    request without a session cookie (the public status page's visitors) does not touch the session."""
    if (
        request.method != "GET"
        or request.headers.get("HX-Request") == "true"
        or settings.SESSION_COOKIE_NAME not in request.COOKIES
        or not hasattr(request, "session")
    ):
        return {}
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("page", request.path) != request.path:
        return {}
    del request.session[SESSION_KEY]
    return {"kept_typed": {"action": kept["action"], "fields": kept["fields"]}}
