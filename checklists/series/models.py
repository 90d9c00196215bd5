"""The recurrence of a checklist item and the ticks of its occurrences."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plans.models import Plan


class Recurrence(models.Model):
    """How an item repeats: ``every`` (an interval) or ``times`` (local clock times, daily), from
    ``start`` until ``until`` (offsets from T-0, both included). See docs/plan-format.md, "Recurring items"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="recurrences")
    item = models.OneToOneField(
        "checklists.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="recurrence"
    )
    step = models.OneToOneField(
        "plans.Step", null=True, blank=True, on_delete=models.CASCADE, related_name="recurrence"
    )
    every = models.DurationField(null=True, blank=True, help_text="Interval between occurrences (or give times).")
    times = models.JSONField(
        default=list, blank=True, help_text='Daily clock times in the plan\'s zone, e.g. ["09:00", "13:00"].'
    )
    start = models.DurationField(help_text="First occurrence (every) or start of the window (times), from T-0.")
    until = models.DurationField(help_text="Last possible occurrence, from T-0 (included).")
    grace = models.DurationField(
        null=True,
        blank=True,
        help_text="How long after its time an occurrence may still be ticked before it counts as missed "
        "(empty: until the next occurrence comes due).",
    )

    class Meta:
        ordering = ["plan", "item", "step"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=True, step__isnull=False)
                | models.Q(item__isnull=False, step__isnull=True),
                name="recurrence_item_or_step",
            )
        ]

    def __str__(self) -> str:
        return f"Recurrence of item {self.item_id}" if self.item_id else f"Recurrence of step {self.step_id}"


class Occurrence(models.Model):
    """One ticked occurrence of a recurring item (``index`` 0 is the first). Only ticks are stored."""

    item = models.ForeignKey(
        "checklists.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences"
    )
    step = models.ForeignKey("plans.Step", null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences")
    index = models.PositiveIntegerField()
    due_at = models.DateTimeField(help_text="When it was due, as the plan stood when it was ticked.")
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "step", "index"]
        constraints = [
            models.UniqueConstraint(fields=["item", "index"], name="occurrence_unique_index"),
            models.UniqueConstraint(fields=["step", "index"], name="occurrence_unique_step_index"),
            models.CheckConstraint(
                condition=models.Q(item__isnull=True, step__isnull=False)
                | models.Q(item__isnull=False, step__isnull=True),
                name="occurrence_item_or_step",
            ),
        ]

    def __str__(self) -> str:
        owner = f"item {self.item_id}" if self.item_id else f"step {self.step_id}"
        return f"#{self.index + 1} of {owner}"
