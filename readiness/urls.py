from __future__ import annotations

from django.urls import path

from . import views

app_name = "readiness"
urlpatterns = [
    path("plans/<slug:plan>/readiness/", views.summary_page, name="summary"),
    # beside the summary, not under it: a track may be called anything (readiness/<track>/)
    path("plans/<slug:plan>/readiness-live/", views.summary_live, name="summary_live"),
    path("plans/<slug:plan>/readiness-live/<slug:track>/", views.track_live, name="track_live"),
    path("plans/<slug:plan>/readiness/items/<int:pk>/", views.item_set, name="item_set"),
    path("plans/<slug:plan>/readiness/<slug:track>/", views.track_page, name="track"),
    path("plans/<slug:plan>/readiness/<slug:track>/attendees/<int:pk>/", views.attendance_record, name="attendance"),
    path("plans/<slug:plan>/readiness/<slug:track>/sheet/", views.sheet_upload, name="sheet"),
    path("plans/<slug:plan>/readiness/<slug:track>/attendees/", views.attendees_upload, name="attendees"),
]
