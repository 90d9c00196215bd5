"""What people add to a launch's review: lessons learned and follow-up actions. Everything else in the
review is computed from what was recorded (review.selectors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from checklists.models import Item
from plans.models import Plan
from roles.models import Role


class LessonKind(models.TextChoices):
    WENT_WELL = "went_well", "Went well"
    IMPROVE = "improve", "To improve"


class Lesson(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lessons")
    kind = models.CharField(max_length=10, choices=LessonKind.choices, default=LessonKind.IMPROVE)
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "kind", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class FollowUp(models.Model):
    """A follow-up action: an owner role and a due date. It is also an item of the plan's follow-up
    checklist (``item``), so its owners see it on their role page and tick it there."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(max_length=300)
    owner_role = models.ForeignKey(Role, null=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField()
    item = models.OneToOneField(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class HandoffStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REVERTED = "reverted", "Reverted"  # accepted, then the launch was reopened (review.services.plan_reopen)


class Handoff(models.Model):
    """The operations handoff: what is handed over (systems, runbooks, contacts) to which role, declared in
    the plan file (``handoff:``) or first written when proposed; the coordinator proposes it, the receiving
    role's primary or backup accepts it, and the launch is then closed. ``carried`` keeps, as of the
    acceptance, the open items and issues handed over with it (``[{"kind", "title", "owner", "due"}]``).

    When the coordinator reopens the closed launch (``plan_reopen``: the handoff was premature), the handoff
    is marked ``reverted`` with who, when and why; its acceptance and what it carried over are kept. A new
    proposal starts a new round on the same row and keeps the last reversal (``reverted_*``) on record."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="handoff")
    to_role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    systems = models.JSONField(default=list, blank=True)
    runbooks = models.JSONField(default=list, blank=True)
    contacts = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.PLANNED)
    note = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    carried = models.JSONField(default=list, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reverted_at = models.DateTimeField(null=True, blank=True)
    revert_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Handoff of {self.plan} to {self.to_role or '—'}"
