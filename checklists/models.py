from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from plans.models import Phase, Placeholder, Plan, Step
from roles.models import Role


class Checklist(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="checklists")
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklists",
        help_text="Owner role; items default to it.",
    )
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="checklists")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="checklist_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class Item(models.Model):
    """One checklist line. ``plan`` is denormalised from the checklist so a role page or the board
    reads a plan's items with one indexed query."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    section = models.CharField(max_length=200, blank=True, help_text="Sub-heading it sits under in the plan.")
    owner_role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    gate = models.ForeignKey(
        "Gate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criteria",
        help_text="Set when this item is a criterion of a go/no-go gate.",
    )
    due_offset = models.DurationField(null=True, blank=True)
    due_by = models.DateTimeField(
        null=True, blank=True, help_text="A clockless plan's absolute due time (its items have no due offset)."
    )
    due_all_day = models.BooleanField(
        default=False, help_text="Due by the end of a date (due_by is the midnight after it, in the plan's zone)."
    )
    required = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="The plan author's notes on the item (not the ticker's note).")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", help_text="One level deep."
    )
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every write: stale pages are detected.")

    class Meta:
        ordering = ["plan", "checklist__order", "order", "id"]
        indexes = [
            models.Index(fields=["plan", "owner_role", "due_offset"]),
            models.Index(fields=["plan", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def due_at(self) -> datetime | None:
        """When the item is due (late from then on): a clockless plan's ``due_by``, else T-0 plus the offset."""
        if self.due_by is not None:
            return self.due_by
        return None if self.due_offset is None else self.plan.at(self.due_offset)


class GateKind(models.TextChoices):
    GO_NO_GO = "go_no_go", "Go/No-Go"
    LAUNCH_AUTHORIZATION = "launch_authorization", "Launch authorization"
    READINESS = "readiness", "Readiness review"
    VALIDATION = "validation", "Post-launch validation"


class GateStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    POLLING = "polling", "Polling"
    PASSED = "passed", "Passed"
    NO_GO = "no_go", "No-go"


class Gate(models.Model):
    """A go/no-go gate: passes when every required criterion is done, no trigger is raised, every
    polled role voted GO and the authority role decides GO."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=GateKind.choices, default=GateKind.GO_NO_GO)
    offset = models.DurationField(null=True, blank=True, help_text="When the decision is due.")
    description = models.TextField(blank=True)
    authority_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="authority_gates"
    )
    polled_roles = models.ManyToManyField(Role, blank=True, related_name="polled_gates")
    placeholders = models.ManyToManyField(
        Placeholder, blank=True, related_name="gates", help_text="Must be filled in before the gate passes."
    )
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="gates")
    blocks = models.ManyToManyField(
        Step, blank=True, related_name="after_gates", help_text="Steps that cannot start before this gate passed."
    )
    holds_phases = models.ManyToManyField(
        Phase,
        blank=True,
        related_name="after_gates",
        help_text="Phases none of whose steps can start before this gate passed.",
    )
    status = models.CharField(max_length=10, choices=GateStatus.choices, default=GateStatus.PENDING)
    poll_round = models.PositiveIntegerField(default=1)
    decision = models.CharField(max_length=10, blank=True, choices=[("go", "GO"), ("no_go", "NO-GO")])
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    #: When its decision was due, if that moment has passed with the gate undecided (:meth:`mark_overdue`, by the
    #: pages that list gates: the board, the plan page, the gate's page); None otherwise.
    overdue_since: datetime | None = None

    class Meta:
        ordering = ["plan", "order", "offset"]
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="gate_slug_unique_in_plan")]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def of_role(plan: Plan, role_id: int) -> models.QuerySet[Gate]:
        """The plan's gates with a time that role ``role_id`` decides or is polled in (its page's "Also yours", its
        calendar feed)."""
        mine = models.Q(authority_role_id=role_id) | models.Q(polled_roles__id=role_id)
        return Gate.objects.filter(mine, plan=plan, offset__isnull=False).distinct()

    def mark_overdue(self, plan: Plan, now: datetime) -> Gate:
        """Set :attr:`overdue_since`: the moment the decision was due, if it has passed with the gate pending or
        polling on a launch still running. A gate due at T-0 and undecided an hour later read "PENDING" on the
        board like one due tomorrow."""
        from plans.lateness import plan_clock

        self.overdue_since = None
        if self.offset is not None and self.status in {GateStatus.PENDING, GateStatus.POLLING} and not plan.has_ended:
            due = plan.at(self.offset)  # by the plan's clock: one due during a hold is not overdue (it slips)
            self.overdue_since = due if due <= plan_clock(plan, now) else None
        return self


class NoGoTrigger(models.Model):
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="triggers")
    order = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    raised = models.BooleanField(default=False)
    raised_at = models.DateTimeField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_reason = models.TextField(blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["gate", "order", "id"]

    def __str__(self) -> str:
        return self.description


class ReadinessBar(models.Model):
    """A gate criterion bound to a readiness figure ("Support team trained >= 100 %"): the gate reads the
    track's figure live, and a figure below ``minimum`` blocks GO (issue 13)."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="readiness_bars")
    track = models.ForeignKey("readiness.Track", on_delete=models.CASCADE, related_name="gate_bars")
    minimum = models.PositiveSmallIntegerField(help_text="Per cent of the expected attendees who completed.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["gate", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["gate", "track"], name="one_bar_per_track_per_gate")]

    def __str__(self) -> str:
        return f"{self.track} >= {self.minimum} %"


class Vote(models.Model):
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="votes")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="votes")
    poll_round = models.PositiveIntegerField(default=1)
    vote = models.CharField(max_length=10, choices=[("go", "GO"), ("no_go", "NO-GO")])
    comment = models.TextField(blank=True)
    voted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    voted_at = models.DateTimeField()

    class Meta:
        ordering = ["gate", "role__order"]
        constraints = [
            models.UniqueConstraint(fields=["gate", "role", "poll_round"], name="one_vote_per_role_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.get_vote_display()} on {self.gate}"


from .series.models import Occurrence, Recurrence  # noqa: E402, F401  (the models of recurring items)
