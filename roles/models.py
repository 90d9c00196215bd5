from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from plans.models import Plan

#: The slug of the page of what the plan gives to no role (checklists: its unowned items and steps, issues: those
#: with no owner role), the coordinator's to work (slugify, which makes roles' slugs, never starts one with "_").
UNOWNED_SLUG = "_unowned"


class Role(models.Model):
    """A launch role (Technical Lead, DBA…) with a primary and a backup person. Unassigned is None,
    never a placeholder name."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    order = models.PositiveIntegerField(default=0)
    team = models.CharField(max_length=120, blank=True, help_text="Grouping: 'Core Launch Team', 'Support Teams'…")
    summary = models.TextField(blank=True, help_text="What the role is for, in a sentence.")
    responsibilities = models.JSONField(default=list, blank=True)
    primary = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_roles"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="backup_roles"
    )
    phone = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    chat = models.CharField(max_length=120, blank=True, help_text="Slack handle or channel.")
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Other facts from the plan, verbatim: team size, availability, effort…"
    )

    class Meta:
        ordering = ["plan", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="role_slug_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "name"], name="role_name_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return self.name

    def holders(self) -> list:
        return [u for u in (self.primary, self.backup) if u is not None]


class ContactKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    EMERGENCY = "emergency", "Emergency"
    VENDOR = "vendor", "Vendor"
    ESCALATION = "escalation", "Escalation"
    MEDIA = "media", "Media"
    OTHER = "other", "Other"


class Contact(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=ContactKind.choices, default=ContactKind.OTHER)
    label = models.CharField(max_length=120, help_text="'CEO', 'Stripe Support'…")
    name = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.name or 'unassigned'}"


class EscalationLevel(models.Model):
    """One rung of the escalation matrix: an unanswered issue reaches it ``after`` its report."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="escalation_levels")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    after = models.DurationField(default=timedelta(0))
    until = models.DurationField(null=True, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="escalation_levels")
    condition = models.CharField(max_length=200, blank=True, help_text="For an out-of-band rung: 'Emergency'.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "level"]
        constraints = [models.UniqueConstraint(fields=["plan", "level"], name="escalation_level_unique")]

    def __str__(self) -> str:
        return f"L{self.level} {self.name}"


from .rota.models import Rota, Shift  # noqa: E402, F401  (on-call rotas)
