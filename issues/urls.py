from __future__ import annotations

from django.urls import path

from . import views

app_name = "issues"
urlpatterns = [
    path("plans/<slug:plan>/issues/", views.issue_list, name="list"),
    path("plans/<slug:plan>/issues/<int:pk>/acknowledge/", views.issue_acknowledge, name="acknowledge"),
    path("plans/<slug:plan>/issues/<int:pk>/resolve/", views.issue_resolve, name="resolve"),
]
