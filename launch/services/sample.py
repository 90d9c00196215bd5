"""A synthetic launch plan for the benchmark and for a screenshot when no plan is loaded: realistic
names, T-0 a little ahead of now, everything written with bulk_create (fast at 2,000 items)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from checklists.models import Checklist, Gate, GateStatus, Item, ItemStatus
from communications.models import Channel, ChannelKind, Message
from issues.models import Issue, IssueStatus, SeveritySLA
from plans.models import Event, Phase, Plan, PlanStatus, RollbackTrigger, Step, StepStatus, SuccessMetric
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
    User = get_user_model()
    with transaction.atomic():
        Plan.objects.filter(slug=slug).delete()
        coordinator, _ = User.objects.get_or_create(
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
        users = []
        for i in range(min(roles * 2, 200)):
            first, last = PEOPLE[i % len(PEOPLE)]
            user, _ = User.objects.get_or_create(
                username=f"{slug}-u{i}", defaults={"first_name": first, "last_name": last + ("" if i < 15 else f" {i}")}
            )
            users.append(user)
        role_objs = Role.objects.bulk_create(
            [
                Role(
                    plan=plan,
                    name=ROLE_NAMES[i] if i < len(ROLE_NAMES) else f"Workstream {i + 1} Lead",
                    slug=f"role-{i + 1}",
                    order=i,
                    primary=None if i % 11 == 7 else users[(2 * i) % len(users)],
                    backup=None if i % 5 == 3 else users[(2 * i + 1) % len(users)],
                )
                for i in range(roles)
            ]
        )
        phases = Phase.objects.bulk_create(
            [
                Phase(plan=plan, name="Pre-launch", order=0, start_offset=timedelta(days=-7), end_offset=timedelta(0)),
                Phase(plan=plan, name="Launch day", order=1, start_offset=timedelta(0), end_offset=timedelta(hours=12)),
                Phase(plan=plan, name="Post-launch", order=2, start_offset=timedelta(hours=12)),
            ]
        )
        step_objs = []
        for i in range(steps):
            minutes = int((i - steps * 0.6) * 6)  # most before T-0, some after
            done = minutes < -40 and i % 7 != 0
            step_objs.append(
                Step(
                    plan=plan,
                    phase=phases[0] if minutes < 0 else phases[1],
                    name=f"{STEP_VERBS[i % len(STEP_VERBS)]} {STEP_NOUNS[(i * 3) % len(STEP_NOUNS)]} ({i + 1})",
                    order=i,
                    offset=timedelta(minutes=minutes),
                    duration=timedelta(minutes=15),
                    lead_role=role_objs[i % len(role_objs)],
                    status=StepStatus.DONE if done else (StepStatus.IN_PROGRESS if -40 <= minutes < -20 else "pending"),
                    actual_start=now if -40 <= minutes < -20 else None,
                )
            )
        Step.objects.bulk_create(step_objs)
        checklists = Checklist.objects.bulk_create(
            [Checklist(plan=plan, name=f"{r.name} checklist", order=r.order, role=r) for r in role_objs]
        )
        gates = Gate.objects.bulk_create(
            [
                Gate(
                    plan=plan,
                    name="Readiness review",
                    slug="readiness",
                    order=0,
                    offset=timedelta(hours=-24),
                    status=GateStatus.PASSED,
                    decision="go",
                    decided_at=now - timedelta(hours=20),
                ),
                Gate(
                    plan=plan,
                    name="Go/No-Go",
                    slug="go-no-go",
                    order=1,
                    offset=timedelta(minutes=-10),
                    status=GateStatus.POLLING,
                    authority_role=role_objs[0],
                ),
                Gate(
                    plan=plan,
                    name="Launch authorization",
                    slug="launch-auth",
                    order=2,
                    offset=timedelta(0),
                    status=GateStatus.PENDING,
                    authority_role=role_objs[0],
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
        gates[1].polled_roles.set(role_objs[: min(6, len(role_objs))])
        item_objs = []
        for i in range(items):
            cl = checklists[i % len(checklists)]
            minutes = int((i / max(items, 1)) * 600) - 480  # T-8h .. T+2h
            open_ = minutes > -30 or i % 13 == 0
            item_objs.append(
                Item(
                    plan=plan,
                    checklist=cl,
                    order=i,
                    title=f"{STEP_VERBS[(i * 7) % len(STEP_VERBS)]} {STEP_NOUNS[i % len(STEP_NOUNS)]} check {i + 1}",
                    owner_role=cl.role,
                    due_offset=timedelta(minutes=minutes),
                    status=ItemStatus.OPEN if open_ else ItemStatus.DONE,
                    done_at=None if open_ else now,
                    gate=gates[1] if i % 40 == 0 else None,
                )
            )
        Item.objects.bulk_create(item_objs, batch_size=1000)
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
        severities = ["critical", "high", "medium", "low"]
        sla = {"critical": 15, "high": 60, "medium": 240, "low": 1440}
        titles = [
            "Checkout latency spike in EU",
            "Webhook retries piling up",
            "Stale prices on product page",
            "Login emails delayed",
            "Typo on status page",
            "Replica lag above 30 s",
        ]
        issue_objs = []
        for i in range(issues):
            sev = severities[(i * 3 + 1) % 4] if i else "critical"
            reported = now - timedelta(minutes=rnd.randint(2, 25) if i < 3 else rnd.randint(5, 300))
            issue_objs.append(
                Issue(
                    plan=plan,
                    number=i + 1,
                    title=titles[i % len(titles)] + ("" if i < len(titles) else f" ({i})"),
                    severity=sev,
                    owner_role=role_objs[(i + 1) % len(role_objs)],
                    reported_by=coordinator,
                    reported_at=reported,
                    respond_by=reported + timedelta(minutes=sla[sev]),
                    status=IssueStatus.ACKNOWLEDGED if i % 4 == 2 else IssueStatus.OPEN,
                    acknowledged_at=reported + timedelta(minutes=1) if i % 4 == 2 else None,
                )
            )
        Issue.objects.bulk_create(issue_objs, batch_size=1000)
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
        from plans.models import MetricReading

        MetricReading.objects.bulk_create(
            [
                MetricReading(metric=metrics[0], value="0.04", recorded_at=now - timedelta(minutes=3)),
                MetricReading(metric=metrics[1], value="512", recorded_at=now - timedelta(minutes=2)),
                MetricReading(metric=metrics[2], value="99.2", recorded_at=now - timedelta(minutes=4)),
            ]
        )
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
        summaries = [
            "Ticked “Verify payments API check 12”",
            "Started “Warm CDN cache (21)”",
            "GO vote: Technical Lead",
            "High issue #2: Webhook retries piling up",
            "Finished “Back up user database (19)”",
        ]
        Event.objects.bulk_create(
            [
                Event(
                    plan=plan,
                    at=now - timedelta(minutes=k * 3 + 1),
                    actor=users[k % len(users)],
                    kind="sample",
                    summary=s,
                    revision=k,
                )
                for k, s in enumerate(summaries)
            ]
        )
        Plan.objects.filter(pk=plan.pk).update(revision=len(summaries))
    plan.refresh_from_db()
    return plan
