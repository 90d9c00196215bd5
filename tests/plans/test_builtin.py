"""The three seeds as built-in templates: concrete facts from each seed are in its template, and every
template survives import -> export -> parse with its meaning intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from checklists.models import Item
from launch.format import builtin_templates, normalise, parse_plan_text, template_text
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan

KEYS = ["english-training-center-phase8", "heypeter-academy-lms", "midas-lifestyle"]


def make(key: str, t0: str = "2026-12-01T12:00", tz: str = "Europe/London") -> Plan:
    return import_plan_text(template_text(key), filename=f"{key}.yaml", t0=t0, tz=tz, source_template=key)


def test_the_three_templates_are_listed() -> None:
    assert [t.key for t in builtin_templates()] == KEYS


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_round_trip(key: str) -> None:
    plan = make(key)
    exported = export_plan(plan)
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(template_text(key)).doc)
    # and the export imports again into an identical plan
    again = import_plan_text(exported, t0="2026-12-01T12:00", tz="Europe/London")
    assert normalise(parse_plan_text(export_plan(again)).doc) == normalise(parse_plan_text(exported).doc)


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_placeholders_stay_unassigned(key: str) -> None:
    plan = make(key)
    assert not plan.roles.filter(primary__isnull=False).exists()
    assert not plan.roles.filter(backup__isnull=False).exists()
    assert not plan.contacts.exclude(name="").exists()


@pytest.mark.django_db
def test_heypeter_facts() -> None:
    plan = make("heypeter-academy-lms", t0="2026-12-01T12:00", tz="UTC")
    roles = list(plan.roles.values_list("name", flat=True))
    assert roles == [
        "Technical Lead",
        "DevOps Engineer",
        "Database Administrator",
        "QA Lead",
        "Product Manager",
        "Support Lead",
        "Operations Manager",  # the seed's lead of the Public Launch (issue 16)
    ]
    assert plan.roles.get(name="Technical Lead").responsibilities[1] == "Go/No-Go decision authority"
    gate = plan.gates.get(name="Go/No-Go")
    assert gate.authority_role is not None and gate.authority_role.name == "Technical Lead"
    assert gate.offset == timedelta(days=-1)
    # The seed lists six "Go Criteria (All must be met)" and five no-go triggers.
    assert [i.title for i in gate.criteria.order_by("order")][0] == "All P0 and P1 bugs resolved"
    assert gate.criteria.count() == 6
    assert gate.triggers.count() == 5 and gate.triggers.filter(description="Data migration failures").exists()
    assert plan.risks.count() == 3
    assert plan.risks.get(title="Database Migration").rollback_plan == "Point-in-time recovery ready"
    assert plan.phases.count() == 4
    # 07:00 on launch day is five hours before the 12:00 public launch (T-0)
    migration = plan.steps.get(name="Database Migration")
    assert migration.planned_start == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert migration.lead_role is not None and migration.lead_role.name == "Database Administrator"
    assert plan.steps.get(name="Public Launch").offset == timedelta(0)
    metric = plan.metrics.get(name="Error rate")
    assert (metric.comparator, metric.target, metric.unit) == ("<", Decimal("0.1"), "%")
    assert plan.metrics.filter(category="Business", target__isnull=True).count() == 5
    assert plan.messages.get(name="Progress updates (hourly)").every == timedelta(hours=1)
    assert Item.objects.get(plan=plan, title="Configure CDN").due_at() == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert plan.channels.filter(name="#heypeter-launch").exists()


@pytest.mark.django_db
def test_midas_facts() -> None:
    plan = make("midas-lifestyle", t0="2026-12-06T06:00", tz="America/New_York")
    assert plan.t0 == datetime(2026, 12, 6, 11, 0, tzinfo=UTC)  # "06:00 EST (11:00 UTC)"
    assert plan.roles.count() == 7
    assert plan.roles.get(name="Technical Lead").attributes["Contact"] == "[TECHNICAL LEAD]"
    assert plan.roles.get(name="Customer Service Team").attributes["Team Size"] == "5 representatives"
    trigger = plan.rollback_triggers.get(description="Error rate >1% for >10 minutes")
    assert trigger.metric is not None and trigger.metric.name == "Error Rate"
    assert (trigger.comparator, trigger.threshold, trigger.sustained_for) == (">", Decimal("1"), timedelta(minutes=10))
    assert plan.rollback_triggers.count() == 4
    assert plan.metrics.count() == 15
    assert plan.metrics.get(name="Revenue").target == Decimal("50000")
    levels = list(plan.escalation_levels.order_by("level").values_list("name", "after", "until"))
    assert levels[:3] == [
        ("Technical team", timedelta(0), timedelta(minutes=15)),
        ("Management team", timedelta(minutes=15), timedelta(minutes=30)),
        ("Executive team", timedelta(minutes=30), None),
    ]
    assert plan.escalation_levels.get(level=4).condition == "Emergency"
    assert plan.contacts.filter(kind="vendor").count() == 4
    assert plan.contacts.filter(kind="emergency").count() == 4
    authorization = plan.gates.get(slug="launch-authorization")
    assert authorization.kind == "launch_authorization" and authorization.criteria.count() == 5
    assert plan.gates.get(slug="post-launch-validation").criteria.count() == 5
    # 10:30 EST public launch execution is T+4h30m
    step = plan.steps.get(name="Full System Activation")
    assert plan.local(step.planned_start).strftime("%H:%M") == "10:30"
    assert plan.steps.get(name="Code freeze").offset == timedelta(hours=-12)
    assert plan.phases.count() == 5


@pytest.mark.django_db
def test_english_training_center_facts() -> None:
    plan = make("english-training-center-phase8", t0="2026-03-03T08:00", tz="Europe/London")
    slas = {s.severity: s.response_within for s in plan.severity_slas.all()}
    assert slas == {
        "critical": timedelta(minutes=15),
        "high": timedelta(minutes=30),
        "medium": timedelta(hours=2),
        "low": timedelta(hours=8),
    }
    assert plan.roles.count() == 5
    assert plan.roles.get(name="Training Manager").attributes["Effort"] == "48 hours"
    assert plan.risks.count() == 5
    risk = plan.risks.get(title="User Adoption Issues")
    assert (risk.probability, risk.impact, risk.rollback_plan) == ("medium", "medium", "Extended training period")
    gate = plan.gates.get(slug="go-live-readiness")
    assert gate.criteria.count() == 16 and gate.criteria.filter(required=True).count() == 8
    assert plan.metrics.count() == 25
    assert plan.extra["system_status_at_phase_8_start"][0] == "181+ Endpoints (all tested & optimized)"
    assert plan.phases.count() == 5
    # 6:00 AM final preparation is two hours before the 8:00 AM public launch
    prep = plan.steps.get(name="Final Preparation")
    assert plan.local(prep.planned_start).strftime("%H:%M") == "06:00"
    hourly = plan.messages.get(name="Hourly status updates")
    assert (hourly.every, hourly.count) == (timedelta(hours=1), 4)
    assert Item.objects.filter(plan=plan, checklist__name="Phase 8 Checklist").count() == 31
