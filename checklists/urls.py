from __future__ import annotations

from django.urls import path

from . import views

app_name = "checklists"
urlpatterns = [
    path("plans/<slug:plan>/roles/", views.roles_index, name="roles"),
    path("plans/<slug:plan>/roles/<slug:role>/", views.role_page, name="role"),
    path("plans/<slug:plan>/roles/<slug:role>/rows/", views.role_rows, name="role_rows"),
    path("plans/<slug:plan>/roles/<slug:role>/items/<int:pk>/", views.item_set, name="item_set"),
    path(
        "plans/<slug:plan>/roles/<slug:role>/items/<int:pk>/occurrences/<int:index>/",
        views.occurrence_tick,
        name="occurrence_tick",
    ),
    path(
        "plans/<slug:plan>/roles/<slug:role>/items/<int:pk>/occurrences/<int:index>/untick/",
        views.occurrence_untick,
        name="occurrence_untick",
    ),
    path(
        "plans/<slug:plan>/roles/<slug:role>/steps/<int:pk>/occurrences/<int:index>/",
        views.step_occurrence_tick,
        name="step_occurrence_tick",
    ),
    path(
        "plans/<slug:plan>/roles/<slug:role>/steps/<int:pk>/occurrences/<int:index>/untick/",
        views.step_occurrence_untick,
        name="step_occurrence_untick",
    ),
    path("plans/<slug:plan>/roles/<slug:role>/readiness/", views.role_readiness_part, name="role_readiness"),
    path("plans/<slug:plan>/roles/<slug:role>/readiness/<int:pk>/", views.readiness_set, name="readiness_set"),
    path("plans/<slug:plan>/roles/<slug:role>/steps/<int:pk>/start/", views.step_start, name="step_start"),
    path("plans/<slug:plan>/roles/<slug:role>/steps/<int:pk>/finish/", views.step_finish, name="step_finish"),
    path("plans/<slug:plan>/gates/<slug:gate>/", views.gate_page, name="gate"),
    path("plans/<slug:plan>/gates/<slug:gate>/poll/", views.gate_poll, name="gate_poll"),
    path("plans/<slug:plan>/gates/<slug:gate>/open-poll/", views.gate_open_poll, name="gate_open_poll"),
    path("plans/<slug:plan>/gates/<slug:gate>/vote/", views.vote_cast, name="vote_cast"),
    path("plans/<slug:plan>/gates/<slug:gate>/decide/", views.gate_decide, name="gate_decide"),
    path("plans/<slug:plan>/gates/<slug:gate>/reopen/", views.gate_reopen, name="gate_reopen"),
    path("plans/<slug:plan>/gates/<slug:gate>/triggers/<int:pk>/raise/", views.trigger_raise, name="trigger_raise"),
    path("plans/<slug:plan>/gates/<slug:gate>/triggers/<int:pk>/clear/", views.trigger_clear, name="trigger_clear"),
]
