from __future__ import annotations

from django.urls import path

from . import metrics_views, views

app_name = "warroom"
urlpatterns = [
    path("plans/<slug:plan>/warroom/fragment/", views.board_fragment, name="fragment"),
    path("kiosk/<str:token>/fragment/", views.kiosk_fragment, name="kiosk_fragment"),
    path("plans/<slug:plan>/warroom/", views.board_page, name="board"),
    path("plans/<slug:plan>/warroom/kiosks/", views.kiosk_links, name="kiosks"),
    path("plans/<slug:plan>/warroom/kiosks/new/", views.kiosk_link_create, name="kiosk_create"),
    path("plans/<slug:plan>/warroom/kiosks/<int:pk>/revoke/", views.kiosk_link_revoke, name="kiosk_revoke"),
    path("plans/<slug:plan>/metrics/", metrics_views.metrics_page, name="metrics"),
    path("plans/<slug:plan>/metrics/<int:pk>/record/", metrics_views.metric_record, name="metric_record"),
    path("plans/<slug:plan>/metrics/<int:pk>/readings/", metrics_views.metric_readings_page, name="metric_readings"),
    path(
        "plans/<slug:plan>/metrics/readings/<int:pk>/withdraw/",
        metrics_views.reading_withdraw_view,
        name="reading_withdraw",
    ),
    path("kiosk/<str:token>/", views.kiosk, name="kiosk"),
]
