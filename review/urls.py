from __future__ import annotations

from django.urls import path

from . import postweek_views, views

app_name = "review"
urlpatterns = [
    path("launches/compare/", views.compare_page, name="compare"),
    path("plans/<slug:plan>/review/", views.review_page, name="page"),
    path("plans/<slug:plan>/review.md", views.review_md, name="markdown"),
    path("plans/<slug:plan>/review.pdf", views.review_pdf_view, name="pdf"),
    path("plans/<slug:plan>/review-data.zip", views.review_csv, name="csv"),
    path("plans/<slug:plan>/decisions.csv", views.review_decisions, name="decisions"),
    path("plans/<slug:plan>/review/lessons/", views.lesson_add, name="lesson_add"),
    path("plans/<slug:plan>/review/lessons/<int:pk>/delete/", views.lesson_delete, name="lesson_delete"),
    path("plans/<slug:plan>/review/follow-ups/", views.followup_add, name="followup_add"),
    path("plans/<slug:plan>/post-launch/", postweek_views.post_launch_page, name="post_launch"),
    path("plans/<slug:plan>/post-launch/handoff/", postweek_views.handoff_propose, name="handoff_propose"),
    path("plans/<slug:plan>/post-launch/handoff/accept/", postweek_views.handoff_accept, name="handoff_accept"),
    path("plans/<slug:plan>/post-launch/reopen/", postweek_views.plan_reopen, name="plan_reopen"),
]
