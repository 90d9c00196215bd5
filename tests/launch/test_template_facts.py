"""The built-in templates hold the seeds' facts that issue 16 found wrong or lost in text: each assertion
quotes the seed line it checks (../shared/seeds/)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from checklists.models import Item
from issues.models import IssueCategory
from launch.format import parse_plan_text, template_text
from launch.services.importer import import_plan_text
from plans.models import Plan

pytestmark = pytest.mark.django_db

KEYS = ["english-training-center-phase8", "heypeter-academy-lms", "midas-lifestyle"]
WEEKDAY = re.compile(r"\b(Mon|Tues?|Wed(nes)?|Thu(rs)?|Fri|Sat(ur)?|Sun)(day)?\b")
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def make(key: str, t0: str, tz: str = "UTC") -> Plan:
    return import_plan_text(template_text(key), filename=f"{key}.yaml", t0=t0, tz=tz, source_template=key)


def test_heypeter_public_launch_is_led_by_the_operations_manager() -> None:
    """Seed: "#### 12:00 - Public Launch / - **Lead**: Operations Manager", and its four bullets."""
    plan = make("heypeter-academy-lms", "2026-12-01T12:00")
    step = plan.steps.select_related("lead_role").get(name="Public Launch")
    assert step.lead_role is not None and step.lead_role.name == "Operations Manager"
    assert "Operations Manager" not in step.description  # the owner is a role, not text
    items = Item.objects.filter(plan=plan, step=step).select_related("checklist__role", "owner_role")
    assert sorted(i.title for i in items) == [
        "Communication sent",
        "Enable for all users",
        "Monitor closely",
        "Remove maintenance mode",
    ]
    for item in items:  # they land on the Operations Manager's page, not the coordinator's unowned one
        owner = item.owner_role or item.checklist.role
        assert owner is not None and owner.name == "Operations Manager"


def test_heypeter_partner_notifications_go_to_partners() -> None:
    """Seed, External Communications, T-1 Day: "Partner notifications"."""
    plan = make("heypeter-academy-lms", "2026-12-01T12:00")
    message = plan.messages.get(name="Partner notifications")
    assert message.audience == "partners"
    channels = list(message.channels.values_list("name", "purpose"))
    assert channels == [("Partner email", "Partner notifications (the seed names no address)")]
    assert not message.channels.filter(name="User email").exists()
    assert message.offset == timedelta(days=-1)


def test_training_centre_production_deployment_is_one_six_hour_block_on_tuesday() -> None:
    """Seed, Week 1: "**Tuesday - Deployment & System Go-Live** / - [ ] Production deployment (6 hours) /
    - API deployment (2 hours) / - Services deployment (2 hours)". T-0 (8:00 AM public launch) on a Tuesday."""
    t0 = "2026-03-03T08:00"  # a Tuesday
    plan = make("english-training-center-phase8", t0, tz="Europe/London")
    deploy = plan.steps.get(name="1.2 Production deployment")
    start, end = plan.local(deploy.planned_start), plan.local(deploy.planned_finish)
    assert deploy.length == timedelta(hours=6)
    assert start.strftime("%A %H:%M") == "Tuesday 00:00" and end.strftime("%A %H:%M") == "Tuesday 06:00"
    assert deploy.rollback.startswith("API layer: roll back to the previous version (blue-green)")
    # no five back-to-back sub-steps any more
    assert not plan.steps.filter(name__startswith="1.2.").exists()
    tuesday_list = Item.objects.filter(plan=plan, checklist__name="Production deployment (6 hours)")
    for title in ("API deployment (2 hours)", "Services deployment (2 hours)"):
        item = tuesday_list.get(title=title)
        due = item.due_at()
        assert due is not None and plan.local(due).strftime("%A") == "Tuesday", title
        assert item.step_id == deploy.pk
    prep = plan.steps.get(name="Final Preparation")
    assert list(prep.depends_on.values_list("name", flat=True)) == ["1.2 Production deployment"]


def test_training_centre_issues_tracked_are_categories_not_checkboxes() -> None:
    """Seed, 4.2 Issue Resolution: "Issues tracked: Performance issues, Data integrity issues, User access
    issues, Integration issues, Notification delivery, Report generation, Mobile app issues"."""
    plan = make("english-training-center-phase8", "2026-03-03T08:00")
    names = list(IssueCategory.objects.filter(plan=plan).order_by("order").values_list("name", flat=True))
    assert names == [
        "Performance",
        "Data integrity",
        "User access",
        "Integration",
        "Notification delivery",
        "Report generation",
        "Mobile app",
    ]
    assert not Item.objects.filter(plan=plan, section="Issues tracked").exists()
    assert not Item.objects.filter(plan=plan, title="Mobile app issues").exists()


def test_training_centre_metric_windows() -> None:
    """Seed, Success Criteria: "System uptime > 99.9% (first month)", "Critical issues: 0 (first week)";
    Go-Live metrics: "Critical issues (first day): 0"."""
    plan = make("english-training-center-phase8", "2026-03-03T08:00")
    uptime = plan.metrics.get(name="System uptime")
    assert (uptime.comparator, uptime.target, uptime.window) == (">", Decimal("99.9"), "first month")
    critical = plan.metrics.get(name="Critical issues")
    assert "first week" in critical.window and "first day" in critical.window


@pytest.mark.parametrize("key", KEYS)
def test_no_weekday_is_written_into_a_name(key: str) -> None:
    """Step and checklist names and item sections carry no weekday: a page derives it from the date, so it
    is right whatever day T-0 falls on (issue 16, finding 4)."""
    doc = parse_plan_text(template_text(key), filename=f"{key}.yaml").doc
    steps = [s.name for p in doc.phases for s in p.steps] + [s.name for s in doc.steps]
    checklists = [c.name for c in doc.checklists]
    sections = [i.section for c in doc.checklists for i in c.items]
    offenders = [n for n in steps + checklists + sections if WEEKDAY.search(n)]
    assert offenders == []


@pytest.mark.parametrize("key", KEYS)
def test_no_clock_time_is_written_into_a_name(key: str) -> None:
    """Seed: "06:00 - System Activation" is a step at T+0 named "System Activation": the time belongs to the
    offset (a name saying 06:00 is wrong after a hold or a re-baseline). Names and sections carry no clock
    time; the pages show it from the step's planned time."""
    doc = parse_plan_text(template_text(key), filename=f"{key}.yaml").doc
    steps = [s.name for p in doc.phases for s in p.steps] + [s.name for s in doc.steps]
    sections = [i.section for c in doc.checklists for i in c.items]
    assert [n for n in steps + sections if CLOCK.search(n)] == []


def test_midas_system_activation_is_at_t0() -> None:
    """Seed: "06:00 EST: Launch Initiation ... System Activation" with T-0 at 06:00 EST."""
    plan = make("midas-lifestyle", "2026-12-06T06:00", tz="America/New_York")
    step = plan.steps.get(name="System Activation")
    assert step.offset == timedelta(0)
    assert f"{plan.local(step.planned_start):%H:%M}" == "06:00"
    assert plan.steps.get(name="Gradual Traffic Increase to 50%").offset == timedelta(hours=5)


@pytest.mark.parametrize("key", KEYS)
def test_header_says_which_times_are_inferred(key: str) -> None:
    header = "".join(
        line for line in Path(f"launch/builtin/{key}.yaml").read_text().splitlines(keepends=True) if line[:1] == "#"
    )
    assert "Times INFERRED here" in header
    assert "Times the seed gives" in header


def test_midas_weekday_follows_the_date() -> None:
    """Seed: "Monday: Infrastructure Finalization" in the week before a Sunday launch. Moved to a launch on a
    Wednesday, the step's page shows the weekday of its real date, not "Mon"."""
    plan = make("midas-lifestyle", "2026-12-09T06:00", tz="America/New_York")  # a Wednesday
    step = plan.steps.get(name="Production Environment Setup")
    assert plan.local(step.planned_start) == datetime(2026, 12, 3, 11, 0, tzinfo=UTC).astimezone(plan.zone)
    assert plan.local(step.planned_start).strftime("%a") == "Thu"


@pytest.mark.parametrize("key", KEYS)
def test_a_plan_made_from_a_template_shows_no_date_left_blank(key: str) -> None:
    """The heypeter summary said "scheduled for [DATE]" on every plan made from it."""
    doc = parse_plan_text(template_text(key), f"{key}.yaml").doc
    assert "[DATE]" not in f"{doc.summary} {doc.extra}"
