from __future__ import annotations

from django.urls import path

from . import views

app_name = "live"
urlpatterns = [
    path("live/plans/<slug:plan>/stream/", views.plan_stream, name="stream"),
    path("live/kiosk/<str:token>/stream/", views.kiosk_stream, name="kiosk_stream"),
    path("live/status/<slug:plan>/stream/", views.status_stream, name="status_stream"),
]
