from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from plans.models import Plan
from plans.validators import MAX_OCCURRENCES
from roles.models import Role


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook (Slack-compatible)"
    STATUS_PAGE = "status_page", "Public status page"
    CHAT = "chat", "Chat channel (named only)"
    OTHER = "other", "Other (named only)"
    #: The kinds only a notification route sends to (communications/routes/): never a Channel's kind.
    SLACK = "slack", "Slack-compatible webhook (route)"
    TEAMS = "teams", "Microsoft Teams webhook (route)"
    PAGERDUTY = "pagerduty", "PagerDuty Events v2 (route)"


#: Channel kinds a Channel row may have (the route kinds belong to routes).
CHANNEL_ONLY_KINDS = [(v, label) for v, label in ChannelKind.choices if v not in {"slack", "teams", "pagerduty"}]


class Channel(models.Model):
    """Where messages go. ``target`` is a comma-separated address list for email, a URL for a
    webhook, empty for the status page. Named-only channels (a war-room bridge, PagerDuty) are kept
    for the record and are not sent to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=CHANNEL_ONLY_KINDS)
    target = models.TextField(blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="channel_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A webhook target must be an http(s) URL to a public address (unless WEBHOOK_ALLOW_PRIVATE); an
        e-mail target, e-mail addresses."""
        super().clean()
        if self.kind in (ChannelKind.WEBHOOK, ChannelKind.EMAIL) and self.target.strip():
            from django.core.exceptions import ValidationError

            from .channels import validate_email_target, validate_webhook_target

            try:
                (validate_webhook_target if self.kind == ChannelKind.WEBHOOK else validate_email_target)(self.target)
            except ValidationError as exc:
                raise ValidationError({"target": exc.messages}) from exc


class Audience(models.TextChoices):
    STAFF = "staff", "Staff (internal)"
    EXECUTIVES = "executives", "Executives (internal)"
    USERS = "users", "Users (external)"
    PARTNERS = "partners", "Partners (external)"
    PUBLIC = "public", "Public (external)"


class MessageKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"
    STATUS_UPDATE = "status_update", "Status update (composed from the live plan)"
    EOD_REPORT = "eod_report", "End-of-day report (composed from the live plan)"
    CUSTOM = "custom", "Custom"


#: A recurring message sends at most MAX_OCCURRENCES times (plans.validators), at most once a minute.
MIN_EVERY = timedelta(minutes=1)


def occurrence_limit_problems(*, every: timedelta | None, count: int | None) -> dict[str, str]:
    """What is wrong with a message's ``every``/``count``, by field (the admin, the importer's checks)."""
    problems: dict[str, str] = {}
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        problems["count"] = f"A message is sent at most {MAX_OCCURRENCES:,} times (count 1 to {MAX_OCCURRENCES})."
    if every is not None and every < MIN_EVERY:
        problems["every"] = "A recurring message repeats at most once a minute (every 1m or more)."
    return problems


class Message(models.Model):
    """A communication-plan entry: a one-off at ``offset`` or, with ``every``, a series of
    ``count`` sends starting at ``offset``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="messages")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.ANNOUNCEMENT)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.STAFF)
    channels = models.ManyToManyField(Channel, blank=True, related_name="messages")
    offset = models.DurationField()
    every = models.DurationField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="Django template.")
    body = models.TextField(blank=True, help_text="Django template; the plan is in the context.")
    requires_approval = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "offset", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="message_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's (every ModelForm's) check: occurrence limits, and subject and body are templates that
        render (communications/templating/), each problem with its line."""
        from plans.models import Placeholder

        from .templating import check_template, message_variables

        limits = occurrence_limit_problems(every=self.every, count=self.count)
        errors: dict[str, list[str]] = {name: [problem] for name, problem in limits.items()}
        declared = Placeholder.objects.filter(plan_id=self.plan_id).values_list("name", flat=True)
        names = list(declared) if self.plan_id else []
        known = message_variables(names)
        for name in ("subject", "body"):
            problems = check_template(getattr(self, name) or "", variables=known, placeholders=names)
            if problems:
                errors.setdefault(name, []).extend(problems)
        if not errors and self.plan_id:
            errors.update(self._trial_problems())
        if errors:
            raise ValidationError(errors)

    def _trial_problems(self) -> dict[str, list[str]]:
        """Compose the message once from its plan as it is now, as a send would: what only fails then (a
        division by zero, ``phases[0]`` on a plan without phases, a text over the size limit) is said now."""
        from django.utils import timezone

        from .sources.schedule import render_message
        from .templating import MessageTemplateError

        try:
            render_message(self.plan, self, occurrence=1, at=timezone.now())
        except MessageTemplateError as exc:
            field, _, detail = exc.detail.partition(": ")
            where = f"line {exc.line}: " if exc.line else ""
            return {field if field in ("subject", "body") else "body": [f"{where}composing it now fails: {detail}"]}
        return {}


class DeliveryStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    LATE = "late", "Late (not sent)"
    SKIPPED = "skipped", "Skipped"
    #: The request may or may not have reached the receiver (a timeout after it went out, a worker lost
    #: mid-call). Retried once with the same idempotency key while ``retry_same_key`` is set.
    UNKNOWN = "unknown", "Outcome unknown"


#: States a delivery never leaves by itself (only a coordinator's "send now" re-opens one). An
#: ``unknown`` row is final once its one retry with the same key is used (``retry_same_key`` false).
FINAL_STATES = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.LATE, DeliveryStatus.SKIPPED})
#: States of a delivery that has not gone out yet (a hold end or re-baseline discards these).
UNSENT_STATES = frozenset({DeliveryStatus.AWAITING_APPROVAL, DeliveryStatus.PENDING})


class Delivery(models.Model):
    """The outbox: one row per thing that goes out, created when it comes due.

    The unique key (source, recipient, channel kind, due moment) makes materialising idempotent: any
    number of beats may create the same row, only one exists. ``claim_token`` names the claim that
    owns a row in ``sending``; only that claim may record the outcome.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deliveries")
    source_kind = models.CharField(max_length=40, help_text="item.due, item.overdue, step.due, message…")
    source_id = models.BigIntegerField()
    recipient = models.CharField(max_length=120, help_text="Stable identity: user:<id>, channel:<id>.")
    channel_kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    due_at = models.DateTimeField()
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    address = models.TextField(blank=True, help_text="Email addresses or URL, resolved when it came due.")
    recipient_label = models.CharField(max_length=200, blank=True, help_text="To whom, for people.")
    label = models.CharField(max_length=300, blank=True, help_text="What, for people.")
    audience = models.CharField(max_length=20, choices=Audience.choices, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this it is too late to matter.")
    next_attempt_at = models.DateTimeField(help_text="Not claimed before this moment (backoff, send now).")
    attempts = models.PositiveSmallIntegerField(default=0)
    manual = models.BooleanField(default=False, help_text="Sent or skipped by hand by the coordinator.")
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Webhook Idempotency-Key and email Message-ID."
    )
    attempt_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current claim began the outgoing call (outcome unknown if lost)."
    )
    unknown_attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts whose outcome is unknown.")
    retry_same_key = models.BooleanField(default=False, help_text="An unknown outcome's one retry is still to come.")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last failure.")
    note = models.CharField(max_length=300, blank=True, help_text="Why it was skipped, late or sent by hand.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "recipient", "channel_kind", "due_at"], name="delivery_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["plan", "due_at"]),
            models.Index(fields=["plan", "status"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.label or self.source_kind} → {self.recipient_label or self.recipient} ({self.status})"

    @property
    def sent_late(self) -> bool:
        """Sent, automatically, later than OUTBOX_ON_TIME_SECONDS after it came due (an outage held it up)."""
        if self.status != DeliveryStatus.SENT or self.sent_at is None or self.manual:
            return False
        return (self.sent_at - self.due_at).total_seconds() > float(getattr(settings, "OUTBOX_ON_TIME_SECONDS", 60))

    @property
    def key(self) -> tuple[str, int, str, str, object]:
        return (self.source_kind, self.source_id, self.recipient, self.channel_kind, self.due_at)


class StatusPost(models.Model):
    """An update published on the plan's public status page (by a status-page delivery or by hand)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="status_posts")
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="status_post"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-published_at", "-id"]
        indexes = [models.Index(fields=["plan", "-published_at"])]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A role's iCalendar feed link, for a calendar app that cannot sign in. The URL carries a random token
    shown once, when the link is made; only its SHA-256 is stored. Revoking the row, or its expiry, stops
    the URL on its next request (``communications/ical.py``)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "-created_at"]

    def __str__(self) -> str:
        return f"calendar feed {self.pk} for {self.role_id}"


# --- Notification routes (issue 12): where alarms, escalations, NO-GOs, holds... go, per plan ----------------


class RouteKind(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack-compatible webhook (Slack, Mattermost)"
    TEAMS = "teams", "Microsoft Teams webhook"
    PAGERDUTY = "pagerduty", "PagerDuty (Events API v2)"


class Route(models.Model):
    """A place the plan's notices go (communications/routes/). ``url`` and ``key`` are secrets: only a
    ``{{ placeholder }}`` or ``env:LC_ROUTE_…`` reference is stored, resolved when a delivery is sent."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="routes")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=RouteKind.choices)
    url = models.CharField(
        max_length=2000,
        blank=True,
        help_text="Webhook URL as {{ placeholder }} or env:LC_ROUTE_NAME; for PagerDuty, the Events API "
        "endpoint (empty: https://events.pagerduty.com/v2/enqueue).",
    )
    key = models.CharField(
        max_length=200, blank=True, help_text="PagerDuty routing key, as {{ placeholder }} or env:LC_ROUTE_NAME."
    )
    to = models.CharField(max_length=2000, blank=True, help_text="Email: addresses (empty: the people concerned).")
    events = models.JSONField(default=list, blank=True, help_text="Notice kinds it takes (empty: the kind's default).")
    severity = models.CharField(
        max_length=10, blank=True, help_text="The least severe notice it takes (empty: default)."
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="routes", help_text="Empty: every role's notices.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="route_name_unique_in_plan")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .routes.rules import route_problems

        problems = route_problems(
            kind=self.kind, url=self.url, key=self.key, to=self.to, events=self.events, severity=self.severity
        )
        if problems:
            raise ValidationError(problems)


class RoutePreference(models.Model):
    """One person's choice for one route: from which severity on they want it (or ``off``), and quiet
    hours (in the plan's zone) when only critical notices use it."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="preferences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="route_preferences")
    severity = models.CharField(max_length=10, blank=True, help_text="critical, high, medium, low, off; empty: all.")
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["route", "id"]
        constraints = [models.UniqueConstraint(fields=["route", "user"], name="one_preference_per_route_and_person")]

    def __str__(self) -> str:
        return f"{self.user} on {self.route}"

    def clean(self) -> None:
        from .routes.rules import SEVERITIES

        if self.severity and self.severity not in (*SEVERITIES, "off"):
            raise ValidationError({"severity": "critical, high, medium, low or off (empty: everything)."})
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValidationError({"quiet_until": "Give both ends of the quiet hours, or neither."})


class OutboxBeat(models.Model):
    """When the outbox last finished a tick (the beat's task, on the ``outbox`` queue), so the pages can say
    when nothing is going out: a worker killed, beat not started, a worker that does not read the queue."""

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class HandPost(models.Model):
    """A send to a named-only channel that was posted by hand (sources/by_hand.py): who marked it, when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="hand_posts")
    due_at = models.DateTimeField()
    recipient = models.CharField(max_length=120)  # the send's recipient (its channel), as its delivery names it
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "due_at", "recipient"], name="one_hand_post")]

    def __str__(self) -> str:
        return f"{self.message_id} at {self.due_at:%Y-%m-%d %H:%M} posted by hand"
