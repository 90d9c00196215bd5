from __future__ import annotations

from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("plans/<slug:plan>/api-tokens/", views.tokens, name="list"),
    path("plans/<slug:plan>/api-tokens/new/", views.token_new, name="create"),
    path("plans/<slug:plan>/api-tokens/<int:pk>/revoke/", views.token_end, name="revoke"),
]
