from __future__ import annotations

from django.urls import path

from . import actions, risks, views

app_name = "issues"
urlpatterns = [
    path("plans/<slug:plan>/issues/", views.issue_list, name="list"),
    path("plans/<slug:plan>/issues/raise/", views.issue_raise, name="raise"),
    path("plans/<slug:plan>/issues/<int:number>/", views.issue_detail, name="detail"),
    path("plans/<slug:plan>/issues/<int:number>/acknowledge/", actions.issue_acknowledge, name="acknowledge"),
    path("plans/<slug:plan>/issues/<int:number>/mitigate/", actions.issue_mitigate, name="mitigate"),
    path("plans/<slug:plan>/issues/<int:number>/resolve/", actions.issue_resolve, name="resolve"),
    path("plans/<slug:plan>/issues/<int:number>/close/", actions.issue_close, name="close"),
    path("plans/<slug:plan>/issues/<int:number>/reopen/", actions.issue_reopen, name="reopen"),
    path("plans/<slug:plan>/issues/<int:number>/comment/", actions.issue_comment, name="comment"),
    path("plans/<slug:plan>/issues/<int:number>/rollback/", actions.issue_rollback, name="rollback"),
    path("plans/<slug:plan>/issues/<int:number>/triage/", actions.issue_triage, name="triage"),
    path("plans/<slug:plan>/risks/", risks.risk_list, name="risks"),
]
