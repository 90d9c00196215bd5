from __future__ import annotations

from django.urls import path

from . import views
from .rollout import views as rollout
from .runbook import views as runbook

app_name = "plans"
urlpatterns = [
    path("plans/<slug:plan>/", views.plan_detail, name="detail"),
    path("plans/<slug:plan>/live/", views.plan_detail_live, name="detail_live"),
    path("plans/<slug:plan>/state/", views.plan_nav_state, name="nav_state"),
    path("plans/<slug:plan>/timeline/", views.plan_timeline, name="timeline"),
    path("plans/<slug:plan>/activity/", views.plan_activity, name="activity"),
    path("plans/<slug:plan>/transition/", views.plan_transition, name="transition"),
    path("plans/<slug:plan>/hold/start/", views.plan_hold_start, name="hold_start"),
    path("plans/<slug:plan>/hold/end/", views.plan_hold_end, name="hold_end"),
    path("plans/<slug:plan>/rebaseline/", views.plan_rebaseline, name="rebaseline"),
    path("plans/<slug:plan>/rollout/", rollout.rollout_page, name="rollout"),
    path("plans/<slug:plan>/rollout/advance/", rollout.rollout_advance, name="rollout_advance"),
    path("plans/<slug:plan>/rollout/rollback/", rollout.rollout_rollback, name="rollout_rollback"),
    path("plans/<slug:plan>/steps/<int:pk>/", runbook.step_page, name="step"),
    path("plans/<slug:plan>/rollback-triggers/<int:pk>/raise/", runbook.trigger_raise, name="rollback_raise"),
    path("plans/<slug:plan>/rollback-triggers/<int:pk>/clear/", runbook.trigger_clear, name="rollback_clear"),
    path(
        "plans/<slug:plan>/rollback-triggers/<int:pk>/threshold/", runbook.trigger_threshold, name="rollback_threshold"
    ),
    path("plans/<slug:plan>/placeholders/<int:pk>/", runbook.placeholder_fill, name="placeholder_fill"),
    path("plans/<slug:plan>/procedure-steps/<int:pk>/", runbook.procedure_step_mark, name="procedure_step"),
]
