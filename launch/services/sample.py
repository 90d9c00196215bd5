"""A synthetic launch plan for the benchmark and for a screenshot when no plan is loaded: realistic
names, T-0 a little ahead of now, everything written with bulk_create (fast at 2,000 items)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from checklists.models import Checklist, Gate, GateStatus, Item, ItemStatus
from communications.models import Channel, ChannelKind, Message
from issues.models import Issue, IssueStatus, SeveritySLA
from plans.models import (
    Event,
    MetricReading,
    Phase,
    Plan,
    PlanStatus,
    RollbackTrigger,
    Step,
    StepStatus,
    SuccessMetric,
)
from roles.models import EscalationLevel, Role

ROLE_NAMES = [
    "Launch Coordinator",
    "Technical Lead",
    "Database Administrator",
    "QA Lead",
    "DevOps Engineer",
    "Security Officer",
    "Support Lead",
    "Communications Lead",
    "Product Owner",
    "Payments Engineer",
    "Frontend Lead",
    "Mobile Lead",
    "Data Engineer",
    "Network Engineer",
    "Vendor Liaison",
]
PEOPLE = [
    ("Amara", "Okafor"),
    ("Ben", "Carter"),
    ("Chen", "Wei"),
    ("Dana", "Silva"),
    ("Elif", "Yilmaz"),
    ("Farid", "Haddad"),
    ("Grace", "Kim"),
    ("Hugo", "Martin"),
    ("Ines", "Costa"),
    ("Jonas", "Berg"),
    ("Kofi", "Mensah"),
    ("Lena", "Novak"),
    ("Marta", "Ruiz"),
    ("Nikhil", "Rao"),
    ("Olga", "Petrova"),
]
STEP_VERBS = ["Freeze", "Back up", "Migrate", "Deploy", "Verify", "Warm", "Switch", "Smoke-test", "Enable", "Monitor"]
STEP_NOUNS = [
    "payments API",
    "user database",
    "CDN cache",
    "search index",
    "mobile release",
    "DNS records",
    "feature flags",
    "status page",
    "job queue",
    "SSO config",
]


@dataclass
class _Sample:
    """What the sections of a sample plan share: the plan, the time it is built at, its people and roles."""

    plan: Plan
    now: datetime
    coordinator: Any
    users: list[Any] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)


def build_sample_plan(
    slug: str = "warroom-sample",
    *,
    items: int = 120,
    roles: int = 12,
    steps: int = 40,
    issues: int = 6,
    seed: int = 4,
) -> Plan:
    """Create (or replace) a live plan in countdown, T-0 about 25 minutes ahead of now."""
    rnd = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        Plan.objects.filter(slug=slug).delete()
        sample = _sample_plan(slug, now)
        _sample_users(sample, slug, roles)
        _sample_roles(sample, roles)
        _sample_phases(sample)
        _sample_steps(sample, steps)
        checklists = Checklist.objects.bulk_create(
            [Checklist(plan=sample.plan, name=f"{r.name} checklist", order=r.order, role=r) for r in sample.roles]
        )
        _sample_gates(sample)
        _sample_items(sample, checklists, items)
        _sample_slas_and_escalation(sample)
        _sample_issues(sample, issues, rnd)
        _sample_metrics(sample)
        _sample_messages(sample)
        revision = _sample_events(sample)
        Plan.objects.filter(pk=sample.plan.pk).update(revision=revision)
    plan = sample.plan
    plan.refresh_from_db()
    return plan


def _sample_plan(slug: str, now: datetime) -> _Sample:
    coordinator, _ = get_user_model().objects.get_or_create(
        username="sample-coordinator", defaults={"first_name": "Amara", "last_name": "Okafor"}
    )
    plan = Plan.objects.create(
        name="Payments Platform Go-Live" if slug == "warroom-sample" else f"Launch {slug}",
        slug=slug,
        t0=(now + timedelta(minutes=25)).replace(second=0, microsecond=0),
        timezone="Europe/London",
        status=PlanStatus.COUNTDOWN,
        coordinator=coordinator,
    )
    return _Sample(plan=plan, now=now, coordinator=coordinator)


def _sample_users(sample: _Sample, slug: str, roles: int) -> None:
    User = get_user_model()
    for i in range(min(roles * 2, 200)):
        first, last = PEOPLE[i % len(PEOPLE)]
        user, _ = User.objects.get_or_create(
            username=f"{slug}-u{i}", defaults={"first_name": first, "last_name": last + ("" if i < 15 else f" {i}")}
        )
        sample.users.append(user)


def _sample_roles(sample: _Sample, roles: int) -> None:
    users = sample.users
    sample.roles = Role.objects.bulk_create(
        [
            Role(
                plan=sample.plan,
                name=ROLE_NAMES[i] if i < len(ROLE_NAMES) else f"Workstream {i + 1} Lead",
                slug=f"role-{i + 1}",
                order=i,
                primary=None if i % 11 == 7 else users[(2 * i) % len(users)],
                backup=None if i % 5 == 3 else users[(2 * i + 1) % len(users)],
            )
            for i in range(roles)
        ]
    )


def _sample_phases(sample: _Sample) -> None:
    plan = sample.plan
    sample.phases = Phase.objects.bulk_create(
        [
            Phase(plan=plan, name="Pre-launch", order=0, start_offset=timedelta(days=-7), end_offset=timedelta(0)),
            Phase(plan=plan, name="Launch day", order=1, start_offset=timedelta(0), end_offset=timedelta(hours=12)),
            Phase(plan=plan, name="Post-launch", order=2, start_offset=timedelta(hours=12)),
        ]
    )


def _sample_steps(sample: _Sample, steps: int) -> None:
    step_objs = []
    for i in range(steps):
        minutes = int((i - steps * 0.6) * 6)  # most before T-0, some after
        done = minutes < -40 and i % 7 != 0
        step_objs.append(
            Step(
                plan=sample.plan,
                phase=sample.phases[0] if minutes < 0 else sample.phases[1],
                name=f"{STEP_VERBS[i % len(STEP_VERBS)]} {STEP_NOUNS[(i * 3) % len(STEP_NOUNS)]} ({i + 1})",
                order=i,
                offset=timedelta(minutes=minutes),
                duration=timedelta(minutes=15),
                lead_role=sample.roles[i % len(sample.roles)],
                status=StepStatus.DONE if done else (StepStatus.IN_PROGRESS if -40 <= minutes < -20 else "pending"),
                actual_start=sample.now if -40 <= minutes < -20 else None,
            )
        )
    Step.objects.bulk_create(step_objs)


def _sample_gates(sample: _Sample) -> None:
    plan, lead = sample.plan, sample.roles[0]
    sample.gates = Gate.objects.bulk_create(
        [
            Gate(
                plan=plan,
                name="Readiness review",
                slug="readiness",
                order=0,
                offset=timedelta(hours=-24),
                status=GateStatus.PASSED,
                decision="go",
                decided_at=sample.now - timedelta(hours=20),
            ),
            Gate(
                plan=plan,
                name="Go/No-Go",
                slug="go-no-go",
                order=1,
                offset=timedelta(minutes=-10),
                status=GateStatus.POLLING,
                authority_role=lead,
            ),
            Gate(
                plan=plan,
                name="Launch authorization",
                slug="launch-auth",
                order=2,
                offset=timedelta(0),
                status=GateStatus.PENDING,
                authority_role=lead,
            ),
            Gate(
                plan=plan,
                name="Post-launch validation",
                slug="validation",
                order=3,
                offset=timedelta(hours=2),
                status=GateStatus.PENDING,
            ),
        ]
    )
    sample.gates[1].polled_roles.set(sample.roles[: min(6, len(sample.roles))])


def _sample_items(sample: _Sample, checklists: list[Checklist], items: int) -> None:
    item_objs = []
    for i in range(items):
        cl = checklists[i % len(checklists)]
        minutes = int((i / max(items, 1)) * 600) - 480  # T-8h .. T+2h
        open_ = minutes > -30 or i % 13 == 0
        item_objs.append(
            Item(
                plan=sample.plan,
                checklist=cl,
                order=i,
                title=f"{STEP_VERBS[(i * 7) % len(STEP_VERBS)]} {STEP_NOUNS[i % len(STEP_NOUNS)]} check {i + 1}",
                owner_role=cl.role,
                due_offset=timedelta(minutes=minutes),
                status=ItemStatus.OPEN if open_ else ItemStatus.DONE,
                done_at=None if open_ else sample.now,
                gate=sample.gates[1] if i % 40 == 0 else None,
            )
        )
    Item.objects.bulk_create(item_objs, batch_size=1000)


def _sample_slas_and_escalation(sample: _Sample) -> None:
    plan = sample.plan
    SeveritySLA.objects.bulk_create(
        [
            SeveritySLA(plan=plan, severity="critical", response_within=timedelta(minutes=15)),
            SeveritySLA(plan=plan, severity="high", response_within=timedelta(hours=1)),
            SeveritySLA(plan=plan, severity="medium", response_within=timedelta(hours=4)),
            SeveritySLA(plan=plan, severity="low", response_within=timedelta(hours=24)),
        ]
    )
    EscalationLevel.objects.bulk_create(
        [
            EscalationLevel(plan=plan, level=1, name="On-call engineer", after=timedelta(0)),
            EscalationLevel(plan=plan, level=2, name="Technical Lead", after=timedelta(minutes=15)),
            EscalationLevel(plan=plan, level=3, name="CTO", after=timedelta(hours=1)),
        ]
    )


ISSUE_TITLES = [
    "Checkout latency spike in EU",
    "Webhook retries piling up",
    "Stale prices on product page",
    "Login emails delayed",
    "Typo on status page",
    "Replica lag above 30 s",
]
SEVERITY_MINUTES = {"critical": 15, "high": 60, "medium": 240, "low": 1440}


def _sample_issues(sample: _Sample, issues: int, rnd: random.Random) -> None:
    severities = ["critical", "high", "medium", "low"]
    titles = ISSUE_TITLES
    issue_objs = []
    for i in range(issues):
        sev = severities[(i * 3 + 1) % 4] if i else "critical"
        reported = sample.now - timedelta(minutes=rnd.randint(2, 25) if i < 3 else rnd.randint(5, 300))
        issue_objs.append(
            Issue(
                plan=sample.plan,
                number=i + 1,
                title=titles[i % len(titles)] + ("" if i < len(titles) else f" ({i})"),
                severity=sev,
                owner_role=sample.roles[(i + 1) % len(sample.roles)],
                reported_by=sample.coordinator,
                reported_at=reported,
                respond_by=reported + timedelta(minutes=SEVERITY_MINUTES[sev]),
                status=IssueStatus.ACKNOWLEDGED if i % 4 == 2 else IssueStatus.OPEN,
                acknowledged_at=reported + timedelta(minutes=1) if i % 4 == 2 else None,
            )
        )
    Issue.objects.bulk_create(issue_objs, batch_size=1000)


def _sample_metrics(sample: _Sample) -> None:
    plan, now = sample.plan, sample.now
    metrics = SuccessMetric.objects.bulk_create(
        [
            SuccessMetric(plan=plan, order=0, name="Error rate", comparator="<", target=0.1, unit="%"),
            SuccessMetric(plan=plan, order=1, name="p95 latency", comparator="<", target=400, unit=" ms"),
            SuccessMetric(plan=plan, order=2, name="Checkout success", comparator=">=", target=98, unit="%"),
            SuccessMetric(plan=plan, order=3, name="Uptime", comparator=">=", target=99.9, unit="%"),
        ]
    )
    RollbackTrigger.objects.create(
        plan=plan,
        description="Error rate > 1 % for 10 min",
        metric=metrics[0],
        comparator=">",
        threshold=1,
        sustained_for=timedelta(minutes=10),
    )
    MetricReading.objects.bulk_create(
        [
            MetricReading(metric=metrics[0], value="0.04", recorded_at=now - timedelta(minutes=3)),
            MetricReading(metric=metrics[1], value="512", recorded_at=now - timedelta(minutes=2)),
            MetricReading(metric=metrics[2], value="99.2", recorded_at=now - timedelta(minutes=4)),
        ]
    )


def _sample_messages(sample: _Sample) -> None:
    plan = sample.plan
    status_page = Channel.objects.create(plan=plan, name="Status page", kind=ChannelKind.STATUS_PAGE)
    staff = Channel.objects.create(plan=plan, name="#launch", kind=ChannelKind.CHAT)
    for order, (name, off, every, count) in enumerate(
        [
            ("T-1d announcement", timedelta(days=-1), None, None),
            ("Go-live notice to customers", timedelta(0), None, None),
            ("Hourly status update", timedelta(hours=-3), timedelta(hours=1), 12),
        ]
    ):
        msg = Message.objects.create(plan=plan, order=order, name=name, offset=off, every=every, count=count)
        msg.channels.set([status_page, staff])


def _sample_events(sample: _Sample) -> int:
    """A few activity-log lines; returns the plan's revision after them."""
    summaries = [
        "Ticked “Verify payments API check 12”",
        "Started “Warm CDN cache (21)”",
        "GO vote: Technical Lead",
        "High issue #2: Webhook retries piling up",
        "Finished “Back up user database (19)”",
    ]
    users = sample.users
    Event.objects.bulk_create(
        [
            Event(
                plan=sample.plan,
                at=sample.now - timedelta(minutes=k * 3 + 1),
                actor=users[k % len(users)],
                kind="sample",
                summary=s,
                revision=k,
            )
            for k, s in enumerate(summaries)
        ]
    )
    return len(summaries)
