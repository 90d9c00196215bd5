"""A plan's rollout and its stages (app label ``plans``; imported by :mod:`plans.models`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Rollout(models.Model):
    """The plan's staged rollout: who decides (``authority_role``; none: the coordinator) and where it
    stands. ``current`` is the number of the stage under way (1 = the first, 0 = not started yet)."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="rollout")
    authority_role = models.ForeignKey(
        "roles.Role",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who advances and rolls back the stages (primary or backup); empty: the coordinator.",
    )
    current = models.PositiveIntegerField(default=0, help_text="The stage under way (1 = the first; 0: not started).")
    stage_started_at = models.DateTimeField(null=True, blank=True)
    stage_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the authority last decided on a rollback (older breaches are answered)."
    )

    def __str__(self) -> str:
        return f"Rollout of {self.plan}"


class RolloutStage(models.Model):
    """One stage: ``percent`` of the traffic for at least ``soak``; ``metrics`` must be on target (read during
    the stage) before it advances."""

    rollout = models.ForeignKey(Rollout, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    percent = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    soak = models.DurationField(default=timedelta(0), help_text="Minimum time at this stage.")
    metrics = models.ManyToManyField(
        "plans.SuccessMetric", blank=True, related_name="+", help_text="Must be on target to advance."
    )

    class Meta:
        ordering = ["rollout", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent} %)"
