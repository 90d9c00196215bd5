from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from plans.models import Plan
from roles.models import Role


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class SeveritySLA(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="severity_slas")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    response_within = models.DurationField()
    resolve_within = models.DurationField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "response_within"]
        constraints = [models.UniqueConstraint(fields=["plan", "severity"], name="one_sla_per_severity")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: respond within {self.response_within}"


class IssueCategory(models.Model):
    """A kind of issue the plan tracks ("Performance", "Mobile app"): chosen when raising an issue and used
    to filter the issues page. Declared by the plan file's ``issue_categories:``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="issue_categories")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="issue_category_unique_in_plan")]
        verbose_name_plural = "issue categories"

    def __str__(self) -> str:
        return self.name


class IssueStatus(models.TextChoices):
    """open → acknowledged → mitigating → resolved → closed; a resolved issue may be reopened (→ open)."""

    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    MITIGATING = "mitigating", "Mitigating"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


#: Still needs someone: shown on the board, counted as open, escalated while unanswered.
UNRESOLVED = (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.MITIGATING)
#: Done with: resolved (may be reopened) or closed (root cause and resolution written down).
DONE = (IssueStatus.RESOLVED, IssueStatus.CLOSED)


class Issue(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="issues")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=15, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    owner_role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues")
    category = models.ForeignKey(IssueCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(null=True, blank=True, help_text="From the severity's response SLA.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)
    step = models.ForeignKey(
        "plans.Step",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        help_text="Affected step.",
    )
    risk = models.ForeignKey(
        "plans.Risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        help_text="Risk realised.",
    )
    rollback_trigger = models.ForeignKey(
        "plans.RollbackTrigger",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        help_text="Marked as a rollback trigger: the discretionary trigger it pulled.",
    )
    mitigating_at = models.DateTimeField(null=True, blank=True)
    mitigating_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    root_cause = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    response_time = models.DurationField(
        null=True, blank=True, help_text="Raised to first acknowledged; kept when the issue is reopened."
    )
    resolution_time = models.DurationField(null=True, blank=True, help_text="Raised to (latest) resolved.")
    escalation_level = models.PositiveSmallIntegerField(default=0, help_text="Highest rung reached so far.")

    class Meta:
        ordering = ["plan", "-reported_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="issue_number_unique_in_plan")]
        indexes = [models.Index(fields=["plan", "status", "severity"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    def response_remaining(self, now: datetime | None = None) -> timedelta | None:
        if self.respond_by is None or self.acknowledged_at is not None or self.status != IssueStatus.OPEN:
            return None
        return self.respond_by - (now or timezone.now())

    @property
    def unresolved(self) -> bool:
        return self.status in UNRESOLVED


class IssueComment(models.Model):
    """Who said what on an issue: with the issue's events (its state changes) it makes the issue's
    timeline. Untrusted text, shown escaped."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    body = models.TextField()

    class Meta:
        ordering = ["issue", "at", "id"]

    def __str__(self) -> str:
        return f"#{self.issue_id} {self.at:%H:%M} {self.body[:40]}"
