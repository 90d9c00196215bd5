from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from plans.models import Event, Hold, PlanStatus
from plans.services import TransitionError, hold_end, hold_start, plan_rebaseline, plan_transition
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_hold_slips_t0_and_everything_after_its_start_but_not_before(plan: Plan, coordinator: User) -> None:
    early = factories.StepFactory(plan=plan, name="Early", offset=timedelta(hours=-3))
    late = factories.StepFactory(plan=plan, name="Late", offset=timedelta(hours=-1))
    item_before = factories.ItemFactory(checklist__plan=plan, due_offset=timedelta(hours=-3))
    item_after = factories.ItemFactory(checklist__plan=plan, due_offset=timedelta(hours=1))
    early_at, late_at = early.planned_start, late.planned_start

    with time_machine.travel(T0 - timedelta(hours=2), tick=False):
        hold_start(plan, by=coordinator, reason="Payment provider down")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HOLD
    with time_machine.travel(T0 - timedelta(hours=1, minutes=15), tick=False):
        hold = hold_end(plan, by=coordinator)

    plan.refresh_from_db()
    assert hold.slip == timedelta(minutes=45)
    assert plan.t0 == T0 + timedelta(minutes=45)
    assert plan.status == PlanStatus.COUNTDOWN
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.planned_start == early_at  # before the hold: stays put
    assert late.planned_start == late_at + timedelta(minutes=45)
    item_before.refresh_from_db()
    item_after.refresh_from_db()
    assert item_before.due_at() == T0 - timedelta(hours=3)
    assert item_after.due_at() == T0 + timedelta(hours=1, minutes=45)
    assert list(Event.objects.filter(plan=plan).values_list("kind", flat=True)) == ["hold.ended", "hold.started"]
    assert Hold.objects.get().ended_at is not None


def test_each_event_bumps_revision(plan: Plan, coordinator: User) -> None:
    before = plan.revision
    hold_start(plan, by=coordinator, reason="x")
    assert plan.revision == before + 1
    assert Event.objects.get().revision == plan.revision


def test_refused_transition_says_why_and_changes_nothing(plan: Plan, coordinator: User) -> None:
    with pytest.raises(TransitionError, match="cannot go from Countdown to Completed"):
        plan_transition(plan, to=PlanStatus.COMPLETED, by=coordinator)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN
    assert not Event.objects.exists()


def test_only_coordinator_may_hold(plan: Plan) -> None:
    stranger = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        hold_start(plan, by=stranger, reason="x")
    assert not Hold.objects.exists()


def test_rebaseline_moves_every_planned_time(plan: Plan, coordinator: User) -> None:
    step = factories.StepFactory(plan=plan, offset=timedelta(hours=-6))
    item = factories.ItemFactory(checklist__plan=plan, due_offset=timedelta(days=-7))
    plan_rebaseline(plan, new_t0=T0 + timedelta(days=2), by=coordinator, reason="vendor delay")
    step.refresh_from_db()
    item.refresh_from_db()
    assert step.planned_start == T0 + timedelta(days=2, hours=-6)
    assert item.due_at() == T0 + timedelta(days=-5)
