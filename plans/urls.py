from __future__ import annotations

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:plan>/", views.plan_detail, name="detail"),
]
