"""Under ``/api/v1/`` every answer is JSON, errors included: a path no operation has (Django's 404 page)
and a method the path does not take (ninja's plain-text 405) become ``{"detail": …}`` with the same status
(and the 405's ``Allow``), as a tool reading the API expects."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/v1/"


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # an operation's own 404 ("No issue #7 in this plan.")
        if response.status_code == 404:
            return JsonResponse({"detail": "Not found: no such API path (docs/api.md, /api/v1/docs)."}, status=404)
        allowed = response.get("Allow", "")
        json = JsonResponse({"detail": f"Method {request.method} not allowed here; use {allowed}."}, status=405)
        json["Allow"] = allowed
        return json
