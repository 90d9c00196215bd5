"""How the API answers a refusal: 400 with one entry per field at fault (never ninja's 422), 401 with
``WWW-Authenticate``, 403 for another plan's token, a missing scope or a service's refusal, 404, 409 for a
write the plan's state refuses (a blocked step, an automatic trigger), 429 with ``Retry-After``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from plans.validators import BoundsError

from .auth import RateLimited

if TYPE_CHECKING:
    from ninja import NinjaAPI


class FieldFault(Exception):
    """A request field the services refused: ``loc`` as in a 400's ``detail``."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message


class Conflict(Exception):
    """A well-formed write the plan's current state refuses (409)."""


@contextmanager
def service_call(*loc: str | int) -> Iterator[None]:
    """Run a service: its bounds errors are the field ``loc``'s fault (400), its other refusals are the
    plan's state (409) or a permission (403)."""
    try:
        yield
    except BoundsError as exc:
        raise FieldFault(["body", *loc], " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise Conflict(" ".join(exc.messages)) from None


def _loc(loc: Any) -> list[str | int]:
    """ninja's ``("body", "body", "value")`` as ``["body", "value"]`` (every body parameter is ``body``)."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body" and parts[1] == "body":
        del parts[1]
    return parts


def install(api: NinjaAPI) -> None:
    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = [
            {"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", "invalid")), "type": str(e.get("type", ""))}
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=400)

    def fault(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = [{"loc": exc.loc, "msg": exc.message, "type": "value_error"}]
        return api.create_response(request, {"detail": detail}, status=400)

    def conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

    def denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(
            request, {"detail": "A valid API token is required (Authorization: Bearer lct_…)."}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="launchcontrol"'
        return response

    def limited(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, {"detail": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(FieldFault, fault)
    api.add_exception_handler(Conflict, conflict)
    api.add_exception_handler(PermissionDenied, denied)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(RateLimited, limited)
