"""What views share: request types (only annotations use them: at runtime every request is a plain
HttpRequest) and the text a failed write shows the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """A request that reached a ``@login_required`` view, so ``request.user`` is a signed-in user.

    The pattern django-stubs documents ("How can I create a HttpRequest that's guaranteed to have an
    authenticated user?"); ``htmx`` is what django_htmx's ``HtmxMiddleware`` sets on every request.
    """

    user: User
    htmx: HtmxDetails


def error_text(exc: ValidationError) -> str:
    """A service's ``ValidationError`` as one line for a message or a form: every message, in order."""
    return " ".join(exc.messages)


def query_text(request: HttpRequest, name: str, default: str = "") -> str:
    """A query parameter as text a database may compare: one with a NUL character (which PostgreSQL refuses in
    a text value: a 500) is as if absent. For filters that look a value up (``?role=``, ``?kind=``)."""
    value = request.GET.get(name, default)
    return default if "\x00" in value else value


def query_texts(request: HttpRequest, name: str) -> list[str]:
    """Every value of a repeated query parameter (``?plan=a&plan=b``), but those with a NUL character."""
    return [v for v in request.GET.getlist(name) if "\x00" not in v]
