from __future__ import annotations

from django.urls import path, re_path

from . import manage, subscribe_views, views

app_name = "statuspage"

urlpatterns = [
    path("status/<slug:plan>/", views.page, name="page"),
    path("status/<slug:plan>/live/", views.live, name="live"),
    path("status/<slug:plan>/history/", views.history, name="history"),
    path("status/<slug:plan>/incidents/<slug:code>/", views.incident, name="incident"),
    path("status/<slug:plan>/subscribe/", subscribe_views.subscribe, name="subscribe"),
    path("status/<slug:plan>/subscribe/confirm/<str:token>/", subscribe_views.confirm, name="confirm"),
    path("status/<slug:plan>/unsubscribe/<str:token>/", subscribe_views.unsubscribe, name="unsubscribe"),
    path("status/<slug:plan>/history.atom", views.atom, name="atom"),
    path("status/<slug:plan>/history.rss", views.rss, name="rss"),
    path("status/<slug:plan>/badge.svg", views.badge, name="badge"),
    path("status/<slug:plan>/widget/", views.widget, name="widget"),
    re_path(r"^status/(?P<plan>[-a-zA-Z0-9_]+)/api/v2/(?P<document>[a-z/-]+\.json)$", views.api, name="api"),
    path("plans/<slug:plan>/status/", manage.page, name="manage"),
    path("plans/<slug:plan>/status/subscribers/", manage.subscribers, name="subscribers"),
    path("plans/<slug:plan>/status/subscribers/<int:pk>/remove/", manage.subscriber_remove, name="subscriber_remove"),
    path("plans/<slug:plan>/status/components/<int:pk>/", manage.component, name="component"),
    path("plans/<slug:plan>/status/incidents/new/", manage.incident_new, name="incident_new"),
    path("plans/<slug:plan>/status/incidents/<int:pk>/update/", manage.incident_update, name="incident_update"),
    path("plans/<slug:plan>/status/incidents/<int:pk>/publish/", manage.incident_publish, name="incident_publish"),
    path("plans/<slug:plan>/status/incidents/<int:pk>/discard/", manage.incident_discard, name="incident_discard"),
]
