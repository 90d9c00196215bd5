"""The demo launch (``manage.py load_demo``, ``make run``): demo logins and a live HeyPeter plan,
T-0 two hours ahead, played forward through the apps' services; the demo's backdating of actual times
is the only write of its own."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from checklists.models import Gate, Item, Vote
from checklists.services import gate_decide, gate_open_poll, item_tick, step_finish, step_start, vote_cast
from issues.models import SeveritySLA
from issues.services import issue_open
from launch.format import template_text
from plans.models import Event, MetricReading, Plan, PlanStatus, Step
from plans.services import plan_transition, reading_record
from plans.wallclock import before_q

from .demo_readiness import demo_readiness, readiness_moments, with_readiness
from .importer import import_plan_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_SLUG = "demo-heypeter"
DEMO_TEMPLATE = "heypeter-academy-lms"
DEMO_ZONE = ZoneInfo("Europe/London")
# username -> (first name, last name, role slug it is primary for, role slug it backs up)
PEOPLE = {
    "techlead": ("Tess", "Lead", "technical-lead", "devops-engineer"),
    "devops": ("Dev", "Ops", "devops-engineer", "technical-lead"),
    "dba": ("Dana", "Base", "dba", "qa-lead"),
    "qa": ("Quinn", "Assure", "qa-lead", "dba"),
    "pm": ("Pat", "Product", "product-manager", "operations-manager"),
    "support": ("Sam", "Support", "support-lead", "product-manager"),
    "ops": ("Olu", "Ops", "operations-manager", "support-lead"),  # the seed's lead of the Public Launch
}
# The launch is under way: what was due more than this long ago is done, except LEFT_OPEN, so the
# room sees a realistic board (a late item or two, the launch-day steps in flight) rather than a wall
# of everything overdue.
DONE_BEFORE = timedelta(minutes=40)
LEFT_OPEN = ["Performance checks", "Update runbooks"]
# The template's names carry no clock time (issue 16), but its step descriptions ("10:00 - Soft Launch"), its
# phase note ("T-0 is the 12:00 public launch") and the hourly update's body ("(06:00 to 12:00)") do: said as
# offsets here, or not at all.
CLOCK_TEXT = [
    (re.compile(r'(description: ")\d{1,2}:\d{2} - '), r"\1"),
    (re.compile(r"T-0 is the \d{1,2}:\d{2} public launch"), "T-0 is the public launch"),
    (re.compile(r"\(06:00 to 12:00\)"), "(T-6h to T-0)"),
]
# The template has no rollback triggers; the demo needs them for the alarm to be tried (a reading above the
# threshold, held for the window, raises it).
ROLLBACK_TRIGGERS = """rollback_triggers:
  - {description: "Error rate above 1 % for 5 minutes", metric: Error rate, comparator: ">", threshold: 1,
     sustained_for: 5m}
  - {description: "API response time above 1,000 ms for 5 minutes", metric: API response time, comparator: ">",
     threshold: 1000, sustained_for: 5m}
  - {description: "Page load time above 5 s for 10 minutes", metric: Page load time, comparator: ">", threshold: 5,
     sustained_for: 10m}
  - {description: "Learner or course data found corrupted (raised by a person)"}
"""
# The summary promises "a phased rollout approach": after the public launch, traffic moves to the new system in
# stages the technical lead advances once each has soaked on target (the rollout page and the board's panel).
ROLLOUT = """rollout:
  authority: Technical Lead
  stages:
    - {name: Canary, percent: 10, soak: 30m, metrics: [Error rate, API response time]}
    - {name: Half of learners, percent: 50, soak: 1h, metrics: [Error rate, API response time, Page load time]}
    - {name: Everyone, percent: 100, metrics: [Error rate]}
"""
# Work that repeats and who is on call (issue 16): a health check every 15 minutes through launch day, and
# the support lead's 24/7 rota for launch week (Sam and Pat in 12-hour turns).
LAUNCH_WATCH = """  - name: Launch watch
    role: DevOps Engineer
    items:
      - title: Health check (dashboards green, error rate under 1 %)
        repeat: {every: 15m, from: T+0, until: T+1d}
"""
SUPPORT_ROTA = "    rota: {from: T+0, until: T+7d, shift: 12h, people: [support, pm]}\n"
# The seed rates its risks' impact only, which leaves the risk register's grid empty: the demo rates their
# probability too (as a team would in its risk review) and gives the two without one an owner.
RISK_RATINGS = {
    "Database Migration": ("medium", None),
    "Authentication System": ("low", "Technical Lead"),
    "Payment Processing": ("low", "Product Manager"),
}
# When the demo's plan was made: before anything in it was done (its first items are due at T-7d).
CREATED_BEFORE_T0 = timedelta(days=8)
# How long ago each demo issue was reported (the high one is inside its 30-minute response time).
ISSUE_AGES = [timedelta(minutes=22), timedelta(minutes=9)]


def demo_text(t0_local: datetime) -> str:
    """The demo's plan file: the HeyPeter template, dated, with no clock time of the day it was written for
    in its text, and with rollback triggers and a staged rollout."""
    text = template_text(DEMO_TEMPLATE).replace("the plan's T-0", f"{t0_local:%A} {t0_local.day} {t0_local:%B %Y}")
    for pattern, replacement in CLOCK_TEXT:
        text = pattern.sub(replacement, text)
    if "\nrollback_triggers:" not in text:
        text = text.replace("\nchannels:\n", f"\n{ROLLBACK_TRIGGERS}\nchannels:\n", 1)
    if "\nrollout:" not in text:
        text = text.replace("\nchannels:\n", f"\n{ROLLOUT}\nchannels:\n", 1)
    if "repeat:" not in text and "\nchecklists:\n" in text and "\nrisks:\n" in text:
        text = text.replace("\nrisks:\n", f"\n{LAUNCH_WATCH}risks:\n", 1)
    for title, (probability, owner) in RISK_RATINGS.items():
        risk = f"\n  - title: {title}\n"
        rest = text.split(risk, 1)[1].split("\n  - ", 1)[0] if risk in text else "probability:"
        if "probability:" not in rest:
            extra = f"    probability: {probability}\n" + (
                f"    owner: {owner}\n" if owner and "owner:" not in rest else ""
            )
            text = text.replace(risk, risk + extra, 1)
    if "    rota:" not in text and "\n  - name: Support Lead\n" in text:
        text = text.replace("\n  - name: Support Lead\n", f"\n  - name: Support Lead\n{SUPPORT_ROTA}", 1)
    return with_readiness(text)  # training tracks, readiness items, the go/no-go's readiness bar


@functools.lru_cache(maxsize=4)
def _demo_hash(password: str) -> str:
    return make_password(password)


def demo_user(
    user_model: type[User], username: str, password: str, *, first: str, last: str, staff: bool = False
) -> User:
    """The demo login ``username`` with ``password`` (made once; its password reset to the file's)."""
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, first_name=first, last_name=last, email=f"{username}@example.com")
        user.is_staff = user.is_superuser = staff
        user.password = _demo_hash(password)  # the demo logins share a password: hash it once, not seven times
        user.save()
    elif not user.check_password(password):
        user.set_password(password)  # the stored password file is the truth for demo logins
        user.save(update_fields=["password"])
    return user


def _progress(plan: Plan, *, now: datetime, coordinator: User) -> None:
    """Tick what was due before ``now - DONE_BEFORE`` and run the steps whose time has come,
    through the services, then backdate the demo's actual times to the planned ones."""
    items = Item.objects.filter(before_q(plan, "due_offset", now - DONE_BEFORE), plan=plan).select_related(
        "owner_role", "checklist__role"
    )
    for item in items.order_by("due_offset", "id"):
        role = item.owner_role or item.checklist.role
        if item.title not in LEFT_OPEN:
            item_tick(item, by=(role.primary if role and role.primary else coordinator))
    for step in Step.objects.filter(before_q(plan, "offset", now, inclusive=True), plan=plan).order_by(
        "offset", "order"
    ):
        by = step.lead_role.primary if step.lead_role and step.lead_role.primary else coordinator
        step_start(step, by=by)
        begin = plan.at(step.offset)
        finish = begin + step.duration
        if finish <= now:
            step_finish(step, by=by)
            Step.objects.filter(pk=step.pk).update(actual_start=begin, actual_finish=finish)
        else:
            Step.objects.filter(pk=step.pk).update(actual_start=begin)
    # Ticked before they were due, a few minutes apart (people do not tick a checklist in one second).
    done = Item.objects.filter(plan=plan, status="done", due_offset__isnull=False).order_by("due_offset", "id")
    before_due: dict[timedelta, int] = {}
    for item in done:
        assert item.due_offset is not None
        k = before_due[item.due_offset] = before_due.get(item.due_offset, -1) + 1
        at = plan.at(item.due_offset) - timedelta(minutes=5 + 3 * k, seconds=17 * (item.pk % 3))
        Item.objects.filter(pk=item.pk).update(done_at=at)
    # Gates whose moment has passed were held: every polled role said GO and the authority agreed.
    for gate in plan.gates.filter(before_q(plan, "offset", now)).select_related("authority_role"):
        gate_open_poll(gate, by=coordinator)
        for role in gate.polled_roles.select_related("primary"):
            vote_cast(gate, role=role, by=role.primary or coordinator, vote="go", comment="Ready.")
        authority = gate.authority_role.primary if gate.authority_role and gate.authority_role.primary else None
        gate_decide(gate, by=authority or coordinator, decision="go", reason="All criteria met; every team GO.")
        assert gate.offset is not None  # for the type checker: filtered above
        held_at = plan.at(gate.offset)
        Vote.objects.filter(gate=gate).update(voted_at=held_at - timedelta(minutes=10))
        Gate.objects.filter(pk=gate.pk).update(decided_at=held_at)


def demo_plan(coordinator: User, people: dict[str, User]) -> Plan:
    """The demo plan from its template, scheduled, counting down and part-way done, in one transaction."""
    now = timezone.now().replace(second=0, microsecond=0)
    t0 = now + timedelta(hours=2)
    with transaction.atomic():
        plan = import_plan_text(
            demo_text(t0.astimezone(DEMO_ZONE)),
            filename=f"{DEMO_TEMPLATE}.yaml",
            t0=t0,
            tz=DEMO_ZONE.key,
            slug=DEMO_SLUG,
            name="HeyPeter Academy LMS go-live (demo)",
            coordinator=coordinator,
            by=coordinator,
            source_template=DEMO_TEMPLATE,
        )
        roles = {r.slug: r for r in plan.roles.all()}
        for username, (_, _, primary, backup) in PEOPLE.items():
            roles[primary].primary = people[username]
            roles[primary].save(update_fields=["primary"])
            roles[backup].backup = people[username]
            roles[backup].save(update_fields=["backup"])
        plan_transition(plan, to=PlanStatus.SCHEDULED, by=coordinator)
        plan_transition(plan, to=PlanStatus.COUNTDOWN, by=coordinator)
        demo_readiness(plan, coordinator=coordinator)  # before the go/no-go reads the support team's figure
        _progress(plan, now=now, coordinator=coordinator)
        if not plan.severity_slas.exists():
            # The HeyPeter seed names no response SLAs; the demo borrows the English Training
            # Center's (critical 15 min, high 30 min, medium 2 h, low 8 h) so the timers show.
            for severity, minutes in (("critical", 15), ("high", 30), ("medium", 120), ("low", 480)):
                SeveritySLA.objects.create(plan=plan, severity=severity, response_within=timedelta(minutes=minutes))
        issue_open(
            plan,
            by=people["dba"],
            title="Replication lag on the read replica after the migration",
            severity="high",
            description="Lag is 40 s and falling; watching it before the soft launch.",
            owner_role=roles["dba"],
        )
        issue_open(
            plan,
            by=people["qa"],
            title="Course thumbnails load slowly on the staging CDN",
            severity="low",
            owner_role=roles["devops-engineer"],
        )
        metrics = {m.name: m for m in plan.metrics.all()}
        readings = {  # an hour of the dashboards, every 10 minutes: a trend on the metrics page, an arrow on the board
            "Error rate": ["0.05", "0.03", "0.04", "0.03", "0.04", "0.06"],
            "API response time": ["350", "340", "360", "320", "330", "410"],
            "Page load time": ["2.4", "2.3", "2.1"],
        }
        for name, values in readings.items():
            for i, value in enumerate(values):
                at = now - timedelta(minutes=10 * (len(values) - i))
                reading_record(metrics[name], value=value, by=coordinator, at=at)
        _tell_the_time(plan, now=now)
        _sent_history(plan, now=now)
        _posted_by_hand(plan, now=now)
    return plan


def _posted_by_hand(plan: Plan, *, now: datetime) -> None:
    """The communications role posted the earlier hourly updates to the launch channel by hand, three minutes
    after each was due (the one due now is still to post: "Mark posted" on the product manager's page)."""
    from communications.models import HandPost
    from communications.services import message_mark_posted
    from communications.sources.by_hand import by_hand_specs, comms_role

    role = comms_role(plan)
    if role is None or role.primary is None:
        return
    for message, _, spec in list(by_hand_specs(plan, now - timedelta(hours=6), now - timedelta(minutes=30))):
        post = message_mark_posted(
            plan, by=role.primary, message_id=message.pk, due_at=spec.due_at, recipient=spec.recipient
        )
        at = spec.due_at + timedelta(minutes=3)
        HandPost.objects.filter(pk=post.pk).update(posted_at=at)
        Event.objects.filter(plan=plan, kind="comms.posted_by_hand", data__due_at=spec.due_at.isoformat()).update(at=at)


def _sent_history(plan: Plan, *, now: datetime) -> None:
    """The communications the launch told so far went out when they were due: the outbox's first tick found
    them all due and unsent (the demo is made in a second) and listed 16 "Late (not sent)" on a fresh demo.
    What could not go anywhere (the demo's user e-mail channel has no address) stays as the outbox says; the
    status updates are on the public status page, each posted at its moment."""
    from communications.channels import send_status_page
    from communications.models import ChannelKind, Delivery, DeliveryStatus
    from communications.outbox.due import materialise_plan

    materialise_plan(plan.pk, now=now)
    told = Delivery.objects.filter(
        plan=plan, due_at__lte=now, status__in=[DeliveryStatus.PENDING, DeliveryStatus.LATE], error=""
    )
    for row in told.filter(channel_kind=ChannelKind.STATUS_PAGE).select_related("plan").order_by("due_at", "id"):
        send_status_page(row, published_at=row.due_at)
    told.update(status=DeliveryStatus.SENT, sent_at=F("due_at"), attempts=1, note="Sent (the demo's history).")


def _tell_the_time(plan: Plan, *, now: datetime) -> None:
    """The demo is built in a second; give its log the times of the launch it tells: the plan made a week
    before T-0, each tick, step, vote and decision when it happened, the issues reported minutes ago."""
    created = plan.t0 - CREATED_BEFORE_T0
    Plan.objects.filter(pk=plan.pk).update(created_at=created)
    events = list(Event.objects.filter(plan=plan).order_by("id"))
    items = dict(Item.objects.filter(plan=plan).values_list("pk", "done_at"))
    steps = {s.pk: s for s in Step.objects.filter(plan=plan)}
    gates = {g.pk: g for g in Gate.objects.filter(plan=plan)}
    readings = list(
        MetricReading.objects.filter(metric__plan=plan).order_by("id").values_list("recorded_at", flat=True)
    )
    issues = list(plan.issues.order_by("number").select_related("owner_role"))
    readiness = readiness_moments(plan)
    reported: dict[int, datetime] = {}
    for issue, age in zip(issues, ISSUE_AGES, strict=False):
        reported[issue.pk] = now - age
        respond_by = reported[issue.pk] + (issue.respond_by - issue.reported_at) if issue.respond_by else None
        plan.issues.filter(pk=issue.pk).update(reported_at=reported[issue.pk], respond_by=respond_by)
    votes = {g: iter(enumerate(Vote.objects.filter(gate_id=g).order_by("id"))) for g in gates}
    setup = iter(range(len(events)))
    for event in events:
        ref: dict[str, Any] = event.data or {}
        at: datetime | None = None
        if event.kind == "item.ticked":
            at = items.get(int(ref.get("item") or 0))
        elif event.kind in {"step.started", "step.finished"} and ref.get("step") in steps:
            step = steps[ref["step"]]
            at = step.actual_start if event.kind == "step.started" else step.actual_finish
        elif event.kind.startswith("gate.") and ref.get("gate") in gates:
            at = _gate_moment(gates[ref["gate"]], event.kind, votes[ref["gate"]])
        elif event.kind == "metric.reading" and readings:
            at = readings.pop(0)
        elif event.kind == "issue.opened":
            at = reported.get(int(ref.get("issue") or 0))
        elif event.kind in {"readiness.attendance", "readiness.item_set"}:
            at = readiness.get((event.kind, int(ref.get("attendee") or ref.get("item") or 0)))
        else:  # the import and the state changes: when the plan was made, a few minutes apart
            at = created + timedelta(minutes=7 * next(setup))
        if at is not None:
            Event.objects.filter(pk=event.pk).update(at=at)


def _gate_moment(gate: Gate, kind: str, votes: Iterator[tuple[int, Vote]]) -> datetime | None:
    """A gate held at its time: the poll opened 30 minutes before, one vote a few minutes apart, the
    decision at the gate's moment (the demo backdates the votes to match)."""
    held = gate.decided_at or gate.plan.at(gate.offset or timedelta(0))
    if kind == "gate.poll_opened":
        return held - timedelta(minutes=30)
    if kind == "gate.voted":
        index, vote = next(votes, (0, None))
        if vote is None:
            return None
        at = held - timedelta(minutes=25 - 3 * index)
        Vote.objects.filter(pk=vote.pk).update(voted_at=at)
        return at
    return held if kind == "gate.decided" else None
