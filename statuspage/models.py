"""Components, their recorded changes, incidents and their updates (issue 14).

Public ids (``code``) are random, not row numbers: the JSON API shows them, and a row number would tell a
reader how many drafts exist. Nothing here holds an internal issue's text or a person: an incident's words
are only what the comms role wrote (a draft is never public until published)."""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.models import Plan, RollbackTrigger

from .states import ComponentStatus, Impact, IncidentStatus

_ALPHABET = string.ascii_lowercase + string.digits


def new_code() -> str:
    """A public id in Statuspage's shape (12 characters, lower-case letters and digits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


class Component(models.Model):
    """A part of the service customers know by name (web app, API, payments), with its state.

    ``status`` is what the page shows: the worse of ``set_status`` (what the comms role set) and
    ``auto_status`` (what a raised rollback trigger or a firing alert mapped to it says)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=120, blank=True, help_text="Shown under this heading (optional).")
    only_show_if_degraded = models.BooleanField(default=False)
    status = models.CharField(max_length=25, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL)
    set_status = models.CharField(max_length=25, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL)
    auto_status = models.CharField(max_length=25, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL)
    triggers = models.ManyToManyField(RollbackTrigger, blank=True, related_name="+")
    on_trigger = models.CharField(max_length=25, choices=ComponentStatus.choices, default=ComponentStatus.MAJOR)
    alerts = models.JSONField(default=list, blank=True, help_text="Alert names that move it while firing.")
    on_alert = models.CharField(max_length=25, choices=ComponentStatus.choices, default=ComponentStatus.PARTIAL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="component_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class ComponentChange(models.Model):
    """One change of a component's shown state: the history bars are drawn from these."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    old_status = models.CharField(max_length=25, choices=ComponentStatus.choices)
    new_status = models.CharField(max_length=25, choices=ComponentStatus.choices)
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["component", "at", "id"]
        indexes = [models.Index(fields=["component", "at"])]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status} at {self.at:%Y-%m-%d %H:%M}"


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    MAINTENANCE = "maintenance", "Scheduled maintenance"


class Incident(models.Model):
    """An incident (or a maintenance) as customers read it. A draft (``published_at`` empty) is prepared
    from the live state when an alarm fires or a critical issue opens; the comms role reviews it and
    publishes it, or discards it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="incidents")
    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    kind = models.CharField(max_length=12, choices=IncidentKind.choices, default=IncidentKind.INCIDENT)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default=IncidentStatus.INVESTIGATING)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.MINOR)
    components = models.ManyToManyField(Component, blank=True, related_name="incidents")
    draft_body = models.TextField(blank=True, help_text="The first update's text, until it is published.")
    origin = models.CharField(max_length=40, blank=True, help_text="What prompted a draft (never public).")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    monitoring_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "published_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "origin"],
                condition=~models.Q(origin=""),
                name="incident_one_draft_per_origin",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class IncidentUpdate(models.Model):
    """One published update of an incident, in one of the stages, written for customers."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    status = models.CharField(max_length=20)
    body = models.TextField()
    affected = models.JSONField(default=list, blank=True, help_text="[{code, name, old_status, new_status}]")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["incident", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident.name}: {self.status}"


class SubscriberKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class SubscriberState(models.TextChoices):
    PENDING = "pending", "Pending confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """Someone outside who asked for the page's updates: by email, or a webhook (whose ``email`` is the
    contact that confirmed it). Active only once confirmed (double opt-in: statuspage.subscriptions).
    Never shown on a public page; ``code`` is the id its signed links carry."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="subscribers")
    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    kind = models.CharField(max_length=10, choices=SubscriberKind.choices, default=SubscriberKind.EMAIL)
    email = models.EmailField(max_length=254)
    url = models.URLField(max_length=2000, blank=True)
    address_key = models.CharField(max_length=2000, help_text="The e-mail (lower case) or the URL: one per plan.")
    state = models.CharField(max_length=14, choices=SubscriberState.choices, default=SubscriberState.PENDING)
    nonce = models.CharField(max_length=16, default=new_code, help_text="Changes with each confirmation asked.")
    created_at = models.DateTimeField(default=timezone.now)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    components = models.ManyToManyField(
        Component, blank=True, related_name="subscribers", help_text="Only updates about these (none: every update)."
    )

    class Meta:
        ordering = ["plan", "-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "address_key"], name="subscriber_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.kind} subscriber {self.code}"

    @property
    def recipient(self) -> str:
        """The outbox's stable identity of this subscriber."""
        return f"subscriber:{self.pk}"
