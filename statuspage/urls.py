from __future__ import annotations

from django.urls import include, path, re_path

from . import manage, subscribe_views, views

app_name = "statuspage"

# The public pages under one prefix, and the root URLconf lists this module first: a status page request,
# the spike's, resolves in a few pattern checks (it came after every app's patterns, a fifth of its time).
public = [
    path("", views.page, name="page"),
    path("live/", views.live, name="live"),
    path("history/", views.history, name="history"),
    path("incidents/<slug:code>/", views.incident, name="incident"),
    path("subscribe/", subscribe_views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", subscribe_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscribe_views.unsubscribe, name="unsubscribe"),
    path("history.atom", views.atom, name="atom"),
    path("history.rss", views.rss, name="rss"),
    path("badge.svg", views.badge, name="badge"),
    path("widget/", views.widget, name="widget"),
    re_path(r"^api/v2/(?P<document>[a-z/-]+\.json)$", views.api, name="api"),
]

manage_urls = [
    path("", manage.page, name="manage"),
    path("subscribers/", manage.subscribers, name="subscribers"),
    path("subscribers/<int:pk>/remove/", manage.subscriber_remove, name="subscriber_remove"),
    path("components/<int:pk>/", manage.component, name="component"),
    path("incidents/new/", manage.incident_new, name="incident_new"),
    path("incidents/<int:pk>/update/", manage.incident_update, name="incident_update"),
    path("incidents/<int:pk>/publish/", manage.incident_publish, name="incident_publish"),
    path("incidents/<int:pk>/discard/", manage.incident_discard, name="incident_discard"),
]

urlpatterns = [
    path("status/<slug:plan>/", include(public)),
    path("plans/<slug:plan>/status/", include(manage_urls)),
]
