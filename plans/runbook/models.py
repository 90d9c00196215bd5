"""Placeholders and procedures (app label ``plans``; imported by :mod:`plans.models`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TriggerKind(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic (on a metric)"
    DISCRETIONARY = "discretionary", "Discretionary (a person's call)"


class PlaceholderKind(models.TextChoices):
    PERSON = "person", "Person"
    DATE = "date", "Date"
    LINK = "link", "Link"
    NUMBER = "number", "Number"
    TEXT = "text", "Text"


class Placeholder(models.Model):
    """A variable a template declares for the team to fill in (``incident_commander``, ``bridge_url``).
    Its value is untrusted text; a link's is an http(s) URL. Unfilled, it blocks the gates that name it
    (``checklists.Gate.placeholders``)."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="placeholders")
    order = models.PositiveIntegerField(default=0)
    name = models.SlugField(max_length=80, allow_unicode=False, help_text="Lower-case letters, digits, _ and -.")
    kind = models.CharField(max_length=10, choices=PlaceholderKind.choices, default=PlaceholderKind.TEXT)
    label = models.CharField(max_length=200, blank=True, help_text="What a page calls it (= the name).")
    description = models.TextField(blank=True)
    value = models.CharField(max_length=2000, blank=True, help_text="Empty: not filled in yet.")
    required = models.BooleanField(default=True)
    secret = models.BooleanField(
        default=False,
        help_text="A notification route's webhook URL or key: its value is never shown on a page, in the "
        "activity log or in text that mentions it (set when a route names it).",
    )

    class Meta:
        app_label = "plans"
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="placeholder_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def filled(self) -> bool:
        return bool(self.value.strip())

    @property
    def shown(self) -> str:
        """The value as a page or the activity log may show it: a secret's never."""
        return "[secret]" if self.secret and self.filled else self.value


class ProcedureKind(models.TextChoices):
    ROLLBACK = "rollback", "Rollback"
    ABORT = "abort", "Abort"
    OTHER = "other", "Other"


class Procedure(models.Model):
    """A named list of steps that runs only when called: the rollback procedure comes alive when the
    launch moves to rolling back, the abort procedure when it is aborted."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="procedures")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProcedureKind.choices, default=ProcedureKind.OTHER)
    description = models.TextField(blank=True)
    lead_role = models.ForeignKey("roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        app_label = "plans"
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="procedure_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    action = models.TextField(blank=True)
    verify = models.TextField(blank=True)
    estimate = models.DurationField(null=True, blank=True)
    lead_role = models.ForeignKey("roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "plans"
        ordering = ["procedure", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "name"], name="procedure_step_name_unique_in_procedure")
        ]

    def __str__(self) -> str:
        return self.name
