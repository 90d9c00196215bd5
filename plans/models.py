from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .offsets import format_offset, offset_moment
from .rollout.models import Rollout, RolloutStage  # noqa: F401
from .runbook.models import Placeholder, PlaceholderKind, Procedure, ProcedureKind, ProcedureStep, TriggerKind  # noqa: F401


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {value!r}") from exc


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    COUNTDOWN = "countdown", "Countdown"
    HOLD = "hold", "Hold"
    LAUNCHED = "launched", "Launched"
    STABILIZING = "stabilizing", "Stabilizing"
    COMPLETED = "completed", "Completed"
    ROLLED_BACK = "rolled_back", "Rolled back"
    ABORTED = "aborted", "Aborted"
    CLOSED = "closed", "Closed"  # handed over to operations (review.services.handoff_accept): read-only


class Plan(models.Model):
    """A launch. Everything in it hangs off T-0 by an offset; ``revision`` moves with every event."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True)
    t0 = models.DateTimeField("T-0", help_text="The launch moment, stored in UTC.")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    revision = models.PositiveBigIntegerField(default=0)
    # The revision of the plan's last change other than a metric reading (plans.services.event_record): the live
    # parts that show no readings (a role's rows, the plan page, the issues) answer 304 for a monitoring push's
    # readings instead of rendering again on every open laptop (plans.viewtools.live_etag).
    content_revision = models.PositiveBigIntegerField(default=0, editable=False)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coordinated_plans"
    )
    reminder_lead = models.DurationField(
        default=timedelta(minutes=15), help_text="How long before an item or step is due its owners are reminded."
    )
    source_template = models.CharField(max_length=80, blank=True, help_text="Built-in template it was made from.")
    extra = models.JSONField(default=dict, blank=True, help_text="Plan-level facts kept verbatim from the source.")
    clockless = models.BooleanField(default=False, help_text="No T-0: pages show progress, not a countdown.")
    window_end = models.DurationField(
        null=True, blank=True, help_text="End of the maintenance window, from T-0: a step forecast past it is at risk."
    )
    early_launch = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="An early launch that moved T-0 to now: when, how far, and what it pinned (plans.early).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["t0", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """T-0 between 2000-01-01 and 2100-01-01 (the admin's form calls this)."""
        from .validators import BoundsError, check_t0

        if self.t0 is not None:
            try:
                check_t0(self.t0)
            except BoundsError as exc:
                raise ValidationError({"t0": exc.messages}) from None

    @property
    def dates_in_range(self) -> bool:
        """False for a plan whose T-0 lies outside 2000-2100 (data saved before the bound existed)."""
        from .validators import t0_in_range

        return t0_in_range(self.t0)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def has_ended(self) -> bool:
        """Closed, aborted or rolled back (``plans.closing``): nothing of it is due or late any more."""
        from .closing import is_ended

        return is_ended(self.status)

    @property
    def before_launch(self) -> bool:
        """Not launched yet (nor ended): what counts down to T-0 may (the public status page's countdown)."""
        from .closing import is_before_launch

        return is_before_launch(self.status)

    @property
    def awaits_launch(self) -> bool:
        """Its clock runs toward T-0 and it has not launched: drafted, scheduled or counting down (a hold's clock
        stands still; a plan with no T-0 has no clock). Once T-0 has passed it says so, "passed, not launched"
        (the board, the plan page): the clock reads T+ and the state still Countdown, which read as launched."""
        return not self.clockless and self.before_launch and self.status != PlanStatus.HOLD

    def open_hold(self) -> Hold | None:
        """The hold the launch is in now, if any: one query, only on hold, once per instance and revision (the
        board, its communications line and the plan's clock ask it of the same plan)."""
        if self.status != PlanStatus.HOLD:
            return None
        cached = self.__dict__.get("_open_hold")
        if cached is None or cached[0] != self.revision:
            hold = Hold.objects.filter(plan=self, ended_at__isnull=True).first()
            cached = self.__dict__["_open_hold"] = (self.revision, hold)
        return cached[1]

    def held_since(self) -> datetime | None:
        """When the hold the launch is in began (``None`` when it is not on hold): the plan's clock stands there
        (``plans.lateness.plan_clock``)."""
        hold = self.open_hold()
        return hold.started_at if hold is not None else None

    def at(self, offset: timedelta) -> datetime:
        """The UTC moment of an offset from T-0: whole days are calendar days in the plan's zone."""
        return offset_moment(self.t0, self.zone, offset)

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.zone)


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    start_offset = models.DurationField(default=timedelta(0))
    end_offset = models.DurationField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "order", "start_offset"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="phase_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class Step(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="steps")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    offset = models.DurationField(help_text="Planned start, relative to T-0.")
    duration = models.DurationField(default=timedelta(0))
    lead_role = models.ForeignKey(
        "roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_steps"
    )
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents")
    estimate = models.DurationField(
        null=True, blank=True, help_text="How long the step is expected to take (the forecast's length; else duration)."
    )
    relative = models.BooleanField(default=False, help_text="Placed after steps or gates: its offset follows theirs.")
    deadline = models.DurationField(
        null=True, blank=True, help_text="Must be finished by this offset from T-0 (a point of no return)."
    )
    verify = models.TextField(blank=True, help_text="How to verify the step is done.")
    rollback = models.TextField(blank=True, help_text="How to roll the step back.")
    preconditions = models.JSONField(default=list, blank=True, help_text="What must hold before it starts.")
    action = models.TextField(blank=True, help_text="What to do, as the runbook says it.")
    optional = models.BooleanField(default=False, help_text="May be skipped (see the condition).")
    condition = models.CharField(max_length=300, blank=True, help_text="Run only if: 'the schema changed'.")
    recurring = models.BooleanField(
        default=False,
        help_text="Repeats (checklists.series): its occurrences are ticked one by one; it is in no chain of "
        "steps (the forecast and the critical path leave it out).",
    )
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_finish = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "offset", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="step_name_unique_in_plan")]
        indexes = [models.Index(fields=["plan", "offset"])]

    def __str__(self) -> str:
        return f"{format_offset(self.offset)} {self.name}"

    @property
    def length(self) -> timedelta:
        """How long the step is expected to take: its estimate, else its duration."""
        return self.estimate if self.estimate is not None else self.duration

    @property
    def planned_start(self) -> datetime:
        return self.plan.at(self.offset)

    @property
    def planned_finish(self) -> datetime:
        return self.plan.at(self.offset) + self.length


class Hold(models.Model):
    """A stop of the countdown. When it ends, T-0 and everything after it slips by its length."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="holds")
    reason = models.TextField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resume_status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.COUNTDOWN)
    slip = models.DurationField(null=True, blank=True, help_text="How far T-0 moved when the hold ended.")

    class Meta:
        ordering = ["plan", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(ended_at__isnull=True), name="one_open_hold_per_plan"
            )
        ]

    def __str__(self) -> str:
        return f"Hold {self.started_at:%Y-%m-%d %H:%M} ({self.reason[:40]})"

    def length(self, now: datetime | None = None) -> timedelta:
        return (self.ended_at or now or timezone.now()) - self.started_at


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Risk(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    probability = models.CharField(max_length=10, choices=Level.choices, blank=True)
    impact = models.CharField(max_length=10, choices=Level.choices, blank=True)
    mitigation = models.JSONField(default=list, blank=True, help_text="Mitigation measures, one per entry.")
    rollback_plan = models.TextField(blank=True)
    owner_role = models.ForeignKey("roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Comparator(models.TextChoices):
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"
    EQ = "=", "="


def compare(value: float, comparator: str, threshold: float) -> bool:
    return {
        "<": value < threshold,
        "<=": value <= threshold,
        ">": value > threshold,
        ">=": value >= threshold,
        "=": value == threshold,
    }[comparator]


class Measure(models.TextChoices):
    """How a success criterion reads its window's readings (review.figures.metrics)."""

    EVERY = "every", "every reading"
    MEAN = "mean", "the mean"
    LATEST = "latest", "the latest reading"


class SuccessMetric(models.Model):
    """A success criterion (``Error rate < 0.1 %``); ``target`` empty for a tracked-only metric."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="metrics")
    order = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=80, blank=True)
    name = models.CharField(max_length=200)
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    window = models.CharField(max_length=120, blank=True, help_text="When it applies: 'first 24 hours'…")
    measure = models.CharField(
        max_length=6,
        choices=Measure.choices,
        default=Measure.EVERY,
        help_text="What must meet the target.",
    )
    description = models.TextField(blank=True)
    run_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a monitoring source last said its condition ended (an alert resolved): readings before "
        "it no longer count toward a rollback trigger's run.",
    )

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="metric_name_unique_in_plan")]

    def __str__(self) -> str:
        if self.target is None:
            return self.name
        from .numbers import format_quantity

        return f"{self.name} {self.comparator} {format_quantity(self.target, self.unit)}"

    def meets(self, value: float) -> bool | None:
        if self.target is None or not self.comparator:
            return None
        return compare(float(value), self.comparator, float(self.target))


class MetricReading(models.Model):
    metric = models.ForeignKey(SuccessMetric, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["metric", "-recorded_at"]
        indexes = [models.Index(fields=["metric", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.metric.name} = {self.value} at {self.recorded_at:%H:%M}"


class RollbackTrigger(models.Model):
    """A condition that calls for rollback: bound to a metric (``error rate > 1 % for 10 min``) or not
    (``security breach detected``), in which case a person raises it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rollback_triggers")
    order = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    metric = models.ForeignKey(
        SuccessMetric, null=True, blank=True, on_delete=models.SET_NULL, related_name="rollback_triggers"
    )
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    threshold = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    sustained_for = models.DurationField(null=True, blank=True)
    kind = models.CharField(max_length=15, choices=TriggerKind.choices, default=TriggerKind.AUTOMATIC)
    action = models.CharField(max_length=300, blank=True, help_text="What to do: 'roll back the release'.")
    window_start = models.DurationField(null=True, blank=True, help_text="Watched from this offset from T-0.")
    window_end = models.DurationField(null=True, blank=True, help_text="Watched until this offset from T-0.")
    roles = models.ManyToManyField("roles.Role", blank=True, related_name="+", help_text="Who may pull it.")
    raised_at = models.DateTimeField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def discretionary(self) -> bool:
        return self.kind == TriggerKind.DISCRETIONARY

    @property
    def threshold_missing(self) -> bool:
        """A template left the threshold blank: a comparator (or a metric) and no number."""
        return (bool(self.comparator) or self.metric_id is not None) and self.threshold is None


def is_news(kind: str, data: dict[str, Any] | None) -> bool:
    """Whether an event is news for the board (``Event.news``): all but a metric reading that is not off target."""
    return kind != "metric.reading" or (data or {}).get("meets") is False


class Event(models.Model):
    """One line of a plan's activity log. Written by the service layer in the same transaction as the
    change it records, together with the plan's revision bump."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=60, help_text="Dotted: item.ticked, hold.started, gate.decided…")
    role = models.ForeignKey("roles.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    revision = models.PositiveBigIntegerField(default=0)
    # News for the board's "Latest" line: every event but a metric reading on target or merely tracked (a
    # monitoring push records one every few seconds; an off-target reading is news). Set by event_record
    # (:func:`is_news`); its own index, so the board finds the newest news without reading past every reading.
    news = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["plan", "-at"]),
            models.Index(fields=["plan", "kind"]),
            models.Index(fields=["plan", "-at"], condition=models.Q(news=True), name="plans_event_news"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}: {self.summary}"


def link_days_default() -> int:
    return int(getattr(settings, "LINK_DEFAULT_DAYS", 30))


def link_days_max() -> int:
    return int(getattr(settings, "LINK_MAX_DAYS", 365))


def link_days(value: object) -> int:
    """A kiosk or calendar link's lifetime in whole days, from a form or a caller (blank: the default);
    ValidationError if it is not a whole number between 1 and ``LINK_MAX_DAYS``."""
    text = str(value if value is not None else "").strip()
    if not text:
        return link_days_default()
    try:
        days = int(text)
    except ValueError:
        raise ValidationError("The expiry is a whole number of days.") from None
    if not 1 <= days <= link_days_max():
        raise ValidationError(f"A link lasts between 1 and {link_days_max()} days.")
    return days


def default_link_expiry() -> datetime:
    return timezone.now() + timedelta(days=link_days_default())


class KioskLink(models.Model):
    """A read-only, revocable big-screen link for a TV that cannot sign in. The URL carries a signed
    token naming this row; revoking the row kills the URL, and so does its expiry."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kiosk_links")
    label = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_link_expiry)

    def __str__(self) -> str:
        return self.label

    def is_live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class ScreenGrant(models.Model):
    """A signed-in viewer's war-room board, on one session. The board's poll URL carries a signed screen
    token naming this row (never the session key), and the token is honoured only while that session is
    still signed in as that user and the user is active: signing out deletes the session and, through
    the foreign key, this row. Not a plan change: no event, no revision (``plans/screens.py``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("sessions.Session", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "plan"], name="screen_grant_once_per_session")]

    def __str__(self) -> str:
        return f"screen grant {self.pk} for plan {self.plan_id}"
