from __future__ import annotations

from django.urls import path

from . import views

app_name = "communications"
urlpatterns = [
    path("plans/<slug:plan>/communications/", views.page, name="page"),
    path("plans/<slug:plan>/communications/send-now/", views.send_now, name="send_now"),
    path("plans/<slug:plan>/communications/skip/", views.skip, name="skip"),
    path("plans/<slug:plan>/communications/dismiss/", views.dismiss, name="dismiss"),
    path("plans/<slug:plan>/communications/post/", views.post_status, name="post_status"),
    path("plans/<slug:plan>/communications/posted-by-hand/", views.hand_post, name="hand_post"),
    path("plans/<slug:plan>/communications/messages/<int:pk>/approve/", views.approve, name="approve"),
    path("plans/<slug:plan>/communications/messages/<int:pk>/preview/", views.preview, name="preview"),
    path("plans/<slug:plan>/calendar/<str:token>.ics", views.ical, name="ical"),
    path("plans/<slug:plan>/calendar/new/", views.calendar_create, name="calendar_create"),
    path("plans/<slug:plan>/calendar/<int:pk>/revoke/", views.calendar_revoke, name="calendar_revoke"),
]
