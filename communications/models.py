from __future__ import annotations

from django.conf import settings
from django.db import models

from plans.models import Plan


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook (Slack-compatible)"
    STATUS_PAGE = "status_page", "Public status page"
    CHAT = "chat", "Chat channel (named only)"
    OTHER = "other", "Other (named only)"


class Channel(models.Model):
    """Where messages go. ``target`` is a comma-separated address list for email, a URL for a
    webhook, empty for the status page. Named-only channels (a war-room bridge, PagerDuty) are kept
    for the record and are not sent to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    target = models.TextField(blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="channel_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    STAFF = "staff", "Staff (internal)"
    EXECUTIVES = "executives", "Executives (internal)"
    USERS = "users", "Users (external)"
    PARTNERS = "partners", "Partners (external)"
    PUBLIC = "public", "Public (external)"


class MessageKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"
    STATUS_UPDATE = "status_update", "Status update (composed from the live plan)"
    EOD_REPORT = "eod_report", "End-of-day report (composed from the live plan)"
    CUSTOM = "custom", "Custom"


class Message(models.Model):
    """A communication-plan entry: a one-off at ``offset`` or, with ``every``, a series of
    ``count`` sends starting at ``offset``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="messages")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.ANNOUNCEMENT)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.STAFF)
    channels = models.ManyToManyField(Channel, blank=True, related_name="messages")
    offset = models.DurationField()
    every = models.DurationField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="Django template.")
    body = models.TextField(blank=True, help_text="Django template; the plan is in the context.")
    requires_approval = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "offset", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="message_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name
