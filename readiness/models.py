"""Readiness before the launch (issue 13): training tracks per audience with their sessions, expected
attendees and who completed, and the readiness items each role ticks (support staffed, runbooks read,
access granted). A track's figure (completed / expected) is what a gate's readiness bar reads."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from plans.models import Plan
from roles.models import Role


class Track(models.Model):
    """The training of one audience (students, instructors, the support team…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tracks")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120, help_text="The audience, e.g. “Support team”.")
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    lead_role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_tracks",
        help_text="The training lead: records attendance for the whole track.",
    )

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="track_slug_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One training session of a track: when (a T-offset, or a date and time on a clockless plan), who
    trains (a role, who may record its attendance) and how many fit."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="sessions")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="training_sessions")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    offset = models.DurationField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="A clockless plan's absolute time.")
    duration = models.DurationField(null=True, blank=True)
    trainer_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_sessions"
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["track", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def at(self) -> datetime | None:
        if self.starts_at is not None:
            return self.starts_at
        return None if self.offset is None else self.plan.at(self.offset)


class Attendee(models.Model):
    """Someone expected to complete a track; ``completed_at`` set once they have."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="attendees")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendees", help_text="Booked on."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="attended_by")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["track", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["track", "email"], name="attendee_once_per_track")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class ReadinessItem(models.Model):
    """Something a role must have done before the launch (support staffed, runbooks read, access granted)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="readiness_items")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="readiness_items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "role__order", "order", "id"]

    def __str__(self) -> str:
        return self.title
