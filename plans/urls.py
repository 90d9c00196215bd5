from __future__ import annotations

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("plans/<slug:plan>/", views.plan_detail, name="detail"),
    path("plans/<slug:plan>/timeline/", views.plan_timeline, name="timeline"),
    path("plans/<slug:plan>/activity/", views.plan_activity, name="activity"),
    path("plans/<slug:plan>/transition/", views.plan_transition, name="transition"),
    path("plans/<slug:plan>/hold/start/", views.plan_hold_start, name="hold_start"),
    path("plans/<slug:plan>/hold/end/", views.plan_hold_end, name="hold_end"),
    path("plans/<slug:plan>/rebaseline/", views.plan_rebaseline, name="rebaseline"),
]
