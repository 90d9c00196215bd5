"""After an early launch that moved T-0 to now (``plans.services.plan_launch``, ``move_t0``), offsets read as
planned on every page and in the export: what was planned before the launch kept its moment
(``plans.timing.pin_before``), so its stored offset grew by how far ahead T-0 was (``T-7d`` became
``T-6d22h``), and what came after moved with T-0, its offset unchanged. Near T-0 the two meet: an item
planned at T-3h that was pinned and one planned at T-1h that moved both lie an hour before the new T-0, and
each still reads as planned (``plans.early``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from checklists.models import ItemStatus
from launch.format.exporter import export_plan
from plans import services as ps
from plans.early import EarlyLaunch, plan_early
from plans.models import Plan, PlanStatus, StepStatus
from plans.slips import planned_offset
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
#: Planned offsets: two done before the launch (pinned), two after it (moved with T-0).
PLANNED = {"T-7d": timedelta(days=-7), "T-3h": -3 * H, "T-1h": -H, "T+1h": H}
DONE = {"T-7d", "T-3h"}


def _launched_two_hours_early(coordinator: User) -> Plan:
    with time_machine.travel(T0 - timedelta(days=10), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    checklist = factories.ChecklistFactory(plan=plan, role=role)
    for label, offset in PLANNED.items():
        done = label in DONE
        factories.StepFactory(
            plan=plan,
            lead_role=role,
            name=f"Step {label}",
            offset=offset,
            status=StepStatus.DONE if done else StepStatus.PENDING,
            actual_start=T0 + offset if done else None,
            actual_finish=T0 + offset + timedelta(minutes=30) if done else None,
        )
        factories.ItemFactory(
            checklist=checklist,
            title=f"Item {label}",
            due_offset=offset,
            status=ItemStatus.DONE if done else ItemStatus.OPEN,
            done_at=T0 + offset if done else None,
        )
    with time_machine.travel(T0 - 2 * H, tick=False):  # two hours early, to the second
        ps.plan_launch(plan, by=coordinator, move_t0=True)
    assert plan.status == PlanStatus.LAUNCHED and T0 - 2 * H - timedelta(minutes=1) < plan.t0 <= T0 - 2 * H
    return plan


def test_offsets_read_as_planned_after_an_early_launch(coordinator: User) -> None:
    plan = _launched_two_hours_early(coordinator)
    fresh = Plan.objects.get(pk=plan.pk)
    for label, offset in PLANNED.items():
        step = fresh.steps.get(name=f"Step {label}")
        item = fresh.items.get(title=f"Item {label}")
        assert planned_offset(fresh, step.offset) == offset, label
        assert planned_offset(fresh, item.due_offset) == offset, label
    # what was done before the launch kept its moment; what came after moved with T-0
    assert fresh.at(fresh.steps.get(name="Step T-7d").offset) == T0 - timedelta(days=7)
    assert fresh.at(fresh.steps.get(name="Step T+1h").offset) == fresh.t0 + H


def _labels(html: str, pattern: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(pattern, html, re.S)]


def test_every_page_and_the_export_show_the_planned_offsets(client: Client, coordinator: User) -> None:
    plan = _launched_two_hours_early(coordinator)
    client.force_login(coordinator)
    with time_machine.travel(T0 - 2 * H + timedelta(minutes=5), tick=False):
        role = client.get(reverse("checklists:role", args=[plan.slug, "dba"])).content.decode()
        detail = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
        timeline = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
        exported = export_plan(Plan.objects.get(pk=plan.pk))
    shown = _labels(role, r'<span class="t-offset">(.*?)</span>')
    assert sorted(shown) == sorted([*PLANNED, *PLANNED]), shown  # each offset twice: its step and its item
    # in the order they fall (the step planned at T-1h moved to just before the one planned at T-3h)
    assert sorted(_labels(timeline, r'<span class="mono small tl-off">(.*?)</span>')) == sorted(PLANNED)
    assert ">T-1h</span>" in detail and ">T+1h</span>" in detail  # the next steps
    for page in (role, detail, timeline):
        assert "T-6d22h" not in page and "T-59m" not in page  # the stored offsets of what the launch pinned
    assert "at: T-7d\n" in exported and "at: T-3h\n" in exported and "due: T-3h\n" in exported
    assert "at: T-1h\n" in exported and "at: T+1h\n" in exported and "6d22h" not in exported


def test_a_hold_before_the_early_launch_reads_as_planned_too(coordinator: User) -> None:
    """A 10-minute hold a day before T-0 pinned the T-7d step and slipped the rest; then the launch came two
    hours before the slipped T-0 and pinned what lay before it: each offset still reads as planned."""
    with time_machine.travel(T0 - timedelta(days=10), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    for label, offset in PLANNED.items():
        factories.StepFactory(plan=plan, name=f"Step {label}", offset=offset)
    with time_machine.travel(T0 - timedelta(days=1), tick=False) as traveller:
        ps.hold_start(plan, by=coordinator, reason="Vendor")
        traveller.shift(timedelta(minutes=10))
        ps.hold_end(plan, by=coordinator)
    assert plan.t0 == T0 + timedelta(minutes=10)
    with time_machine.travel(plan.t0 - 2 * H, tick=False):
        ps.plan_launch(plan, by=coordinator, move_t0=True)
    fresh = Plan.objects.get(pk=plan.pk)
    shown = {s.name: planned_offset(fresh, s.offset) for s in fresh.steps.all()}
    assert shown == {f"Step {label}": offset for label, offset in PLANNED.items()}


def test_the_launch_moves_t0_a_second_back_when_pinned_and_moved_offsets_would_meet() -> None:
    """Launching exactly two hours early would pin T-3h onto T-1h: T-0 goes one second before the launch."""
    now = T0 - 2 * H
    early = plan_early(T0, now, [-3 * H, -H, timedelta(days=-7)])
    assert early.at == now - timedelta(seconds=1) and early.shift == 2 * H + timedelta(seconds=1)
    assert early.pinned == {-3 * H + early.shift}  # T-7d lies below the band: pinned whatever the record says
    assert [early.before(o) for o in (-3 * H + early.shift, -H, timedelta(days=-7) + early.shift, H)] == [
        -3 * H,
        -H,
        timedelta(days=-7),
        H,
    ]
    clear = plan_early(T0, now, [-5 * H, -H])  # nothing lands on anything: T-0 is the launch's second
    assert clear.at == now and clear.pinned == set()
    assert EarlyLaunch.parse(early.record()) == early and EarlyLaunch.parse({"at": "x"}) is None
