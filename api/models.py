"""API tokens, alert routes (a plan's mapping of alerts to readings, triggers and issues) and the receipts
that make alert notifications idempotent."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from issues.models import Severity
from plans.models import Plan, RollbackTrigger, SuccessMetric
from roles.models import Role


class Scope(models.TextChoices):
    READ = "read", "Read the plan's live state"
    METRICS = "metrics", "Record metric readings"
    ISSUES = "issues", "Raise, acknowledge and resolve issues; raise and clear rollback triggers"
    STEPS = "steps", "Start and finish steps"
    ROLLOUT = "rollout", "Advance the rollout's stages and roll back (a stage or the launch)"
    TRAINING = "training", "Record training attendance (readiness)"


class ApiToken(models.Model):
    """A bearer token for one plan. Only its SHA-256 digest is stored; ``prefix`` (shown in lists and
    logs) identifies it. It acts as ``identity``, a service account of its own with the coordinator's
    rights on this plan only (``api.auth``), limited by ``scopes``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    identity = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def scope_labels(self) -> list[str]:
        return [Scope(s).value for s in Scope.values if s in self.scopes]


class AlertSource(models.TextChoices):
    ANY = "any", "Any"
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana"


class AlertAction(models.TextChoices):
    METRIC = "metric", "Record a metric reading"
    TRIGGER = "trigger", "Raise (firing) and clear (resolved) a rollback trigger"
    ISSUE = "issue", "Open (firing) and resolve (resolved) an issue"


class AlertRoute(models.Model):
    """Which alerts do what: an alert matches when its ``alertname`` label equals ``alertname`` (blank:
    any) and every label in ``labels`` has the given value."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="alert_routes")
    order = models.PositiveIntegerField(default=0)
    alertname = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=15, choices=AlertSource.choices, default=AlertSource.ANY)
    action = models.CharField(max_length=10, choices=AlertAction.choices)
    metric = models.ForeignKey(SuccessMetric, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(
        max_length=120, blank=True, help_text="The reading's number: a Grafana value or an alert annotation/label."
    )
    trigger = models.ForeignKey(RollbackTrigger, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    owner_role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        what = self.alertname or "any alert"
        if self.labels:
            what += " " + ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"{what} → {self.action}"

    def matches(self, source: str, labels: dict[str, str]) -> bool:
        if self.source not in (AlertSource.ANY, source):
            return False
        if self.alertname and labels.get("alertname") != self.alertname:
            return False
        return all(labels.get(k) == v for k, v in self.labels.items())


class AlertStatus(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


class AlertReceipt(models.Model):
    """One alert occurrence (its fingerprint and start) as received: a resent firing, or a resolved that
    came before its firing, finds its receipt and changes nothing."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=15, choices=AlertSource.choices)
    fingerprint = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AlertStatus.choices)
    alertname = models.CharField(max_length=200, blank=True)
    issues = models.JSONField(default=list, blank=True, help_text="The issues its firing opened.")
    received_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source", "fingerprint", "starts_at"], name="alert_receipt_once_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.alertname or self.fingerprint} {self.status}"
