from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from api.urls import api


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@cache
def _icon() -> bytes:
    return (settings.BASE_DIR / "static" / "favicon.svg").read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the pages link (static/favicon.svg): answer with the same icon."""
    response = HttpResponse(_icon(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


admin.site.site_header = "Launch Control admin"
admin.site.site_title = "Launch Control"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # The public status page first: a launch-day spike of anonymous readers; its patterns sit under two
    # prefixes (statuspage.urls), so every other request pays two pattern checks for it.
    path("", include("statuspage.urls")),
    # Then the war-room poll is the hottest path (every screen, every 2 s); resolving it early matters.
    path("", include("warroom.urls")),
    path("", include("live.urls")),  # the push channel's streams (async views: served by the ASGI server)
    path("", include("launch.urls")),
    path("", include("plans.urls")),
    path("", include("checklists.urls")),
    path("", include("issues.urls")),
    path("", include("communications.urls")),
    path("", include("review.urls")),
    path("", include("readiness.urls")),
    path("api/v1/", api.urls),  # token-authenticated JSON API (api/, docs/api.md)
    path("", include("api.pageurls")),
]
