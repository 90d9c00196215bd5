"""The live forecast (plans/forecast.py): overruns, early finishes and holds move what follows, and a
deadline that will be missed is flagged before it comes. Time travels with time_machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from checklists.models import Gate, GateStatus
from checklists.services import step_finish, step_start
from plans.forecast import Forecast, GateMark, Task, forecast, planned_offsets
from plans.models import Plan, Step
from plans.offsets import offset_moment
from plans.schedule import plan_forecast
from plans.services import hold_end, hold_start, plan_reschedule
from tests import factories


def _step(**fields: Any) -> Step:
    return cast(Step, factories.StepFactory(**fields))


def _gate(**fields: Any) -> Gate:
    return cast(Gate, factories.GateFactory(**fields))


def _plan(**fields: Any) -> Plan:
    return cast(Plan, factories.PlanFactory(**fields))


T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def _clock(offset: timedelta) -> datetime:
    return T0 + offset


def test_relative_steps_are_planned_from_their_predecessors_and_mix_with_absolute_ones() -> None:
    tasks = [
        Task(1, "Freeze writes", offset=timedelta(0), length=20 * M),
        Task(2, "Backup", offset=timedelta(0), length=H, relative=True, after=(1,)),
        Task(3, "Smoke test", offset=3 * H, length=10 * M),  # absolute
        Task(4, "Migrate", offset=timedelta(0), length=40 * M, relative=True, after=(2, 3)),
    ]
    assert planned_offsets(tasks) == {1: timedelta(0), 2: 20 * M, 3: 3 * H, 4: 3 * H + 10 * M}


def test_a_step_after_a_gate_is_planned_at_the_gate_and_forecast_when_it_passes() -> None:
    gate = GateMark(9, "Go/No-Go", offset=2 * H)
    tasks = [Task(1, "Cut over", offset=timedelta(0), length=30 * M, relative=True, gates=(9,))]
    assert planned_offsets(tasks, [gate]) == {1: 2 * H}
    result = forecast(tasks, clock=_clock, now=T0 + 3 * H, gates=[gate])
    assert result.steps[1].start == T0 + 3 * H  # the gate has not passed: not before now
    passed = GateMark(9, "Go/No-Go", offset=2 * H, passed_at=T0 + H)
    early = forecast(tasks, clock=_clock, now=T0 + H, gates=[passed])
    assert early.steps[1].start == T0 + H


@pytest.fixture
def cutover(plan: Plan) -> list[Step]:
    """Four steps: Freeze at T+0 (20m), then Backup (1h), Migrate (30m), Verify (20m), each after the
    one before; the maintenance window ends at T+2h30m."""
    role = factories.RoleFactory(plan=plan, primary=plan.coordinator)
    freeze = _step(plan=plan, name="Freeze", offset=timedelta(0), estimate=20 * M, lead_role=role)
    steps = [freeze]
    for name, estimate in (("Backup", H), ("Migrate", 30 * M), ("Verify", 20 * M)):
        step = _step(plan=plan, name=name, offset=timedelta(0), estimate=estimate, relative=True, lead_role=role)
        step.depends_on.add(steps[-1])
        steps.append(step)
    with transaction.atomic():
        plan_reschedule(plan)
    Plan.objects.filter(pk=plan.pk).update(window_end=2 * H + 30 * M)
    plan.refresh_from_db()
    for step in steps:
        step.refresh_from_db()
    return steps


def _now_forecast(plan: Plan) -> Forecast:
    plan.refresh_from_db()
    return plan_forecast(plan, now=datetime.now(UTC))


@pytest.mark.django_db
def test_planned_offsets_are_saved_for_relative_steps(cutover: list[Step]) -> None:
    assert [s.offset for s in cutover] == [timedelta(0), 20 * M, 80 * M, 110 * M]
    assert cutover[-1].planned_finish == T0 + 130 * M


@pytest.mark.django_db
def test_an_overrun_of_40_minutes_moves_everything_after_it_and_the_launch_end(
    plan: Plan, coordinator: User, cutover: list[Step]
) -> None:
    freeze, backup, migrate, verify = cutover
    with time_machine.travel(T0, tick=False):
        step_start(freeze, by=coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        step_finish(freeze, by=coordinator)
        step_start(backup, by=coordinator)
    with time_machine.travel(T0 + 2 * H, tick=False):  # the 1h backup has run 1h40m: 40 minutes over
        result = _now_forecast(plan)
    assert result.steps[backup.pk].end == T0 + 2 * H
    assert result.steps[migrate.pk].start == T0 + 2 * H
    assert result.steps[verify.pk].end == T0 + 2 * H + 50 * M
    assert result.planned_end == T0 + 130 * M
    assert result.end == T0 + 170 * M
    assert result.slip == 40 * M
    with time_machine.travel(T0 + 2 * H, tick=False):
        step_finish(backup, by=coordinator)
        assert _now_forecast(plan).slip == 40 * M


@pytest.mark.django_db
def test_a_step_finished_early_pulls_the_rest_in(plan: Plan, coordinator: User, cutover: list[Step]) -> None:
    freeze, backup, migrate, verify = cutover
    with time_machine.travel(T0, tick=False):
        step_start(freeze, by=coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        step_finish(freeze, by=coordinator)
        step_start(backup, by=coordinator)
    with time_machine.travel(T0 + 50 * M, tick=False):  # a 1h backup done in 30 minutes
        step_finish(backup, by=coordinator)
        result = _now_forecast(plan)
    assert result.steps[migrate.pk].start == T0 + 50 * M
    assert result.steps[verify.pk].end == T0 + 100 * M
    assert result.slip == -30 * M


@pytest.mark.django_db
def test_a_hold_shifts_the_forecast_and_then_the_plan(plan: Plan, coordinator: User, cutover: list[Step]) -> None:
    freeze, _backup, _migrate, verify = cutover
    with time_machine.travel(T0 - 10 * M, tick=False):
        hold_start(plan, by=coordinator, reason="Vendor outage")
    with time_machine.travel(T0 + 20 * M, tick=False):  # still on hold, 20 minutes past the planned start
        result = _now_forecast(plan)
        assert result.steps[freeze.pk].start == T0 + 20 * M
        assert result.steps[verify.pk].end == T0 + 150 * M
        assert result.slip == 20 * M
        hold_end(plan, by=coordinator)  # T-0 slips by the hold's 30 minutes
        result = _now_forecast(plan)
    assert result.planned_end == T0 + 160 * M
    assert result.steps[freeze.pk].start == T0 + 30 * M
    assert result.slip == timedelta(0)


@pytest.mark.django_db
def test_a_deadline_that_will_be_missed_is_flagged_before_it_is_due(
    plan: Plan, coordinator: User, cutover: list[Step]
) -> None:
    freeze, backup, migrate, verify = cutover
    Step.objects.filter(pk=migrate.pk).update(deadline=2 * H)  # point of no return: migrated by T+2h
    with time_machine.travel(T0, tick=False):
        step_start(freeze, by=coordinator)
        assert _now_forecast(plan).at_risk == []
    with time_machine.travel(T0 + 20 * M, tick=False):
        step_finish(freeze, by=coordinator)
        step_start(backup, by=coordinator)
    with time_machine.travel(T0 + 90 * M, tick=False):  # backup 10 minutes over: everything still fits
        assert _now_forecast(plan).at_risk == []
    with time_machine.travel(T0 + 95 * M, tick=False):  # 15 over: Migrate would end T+2h05m, past its T+2h
        risky = {f.task.name: f for f in _now_forecast(plan).at_risk}
    assert set(risky) == {"Migrate"}
    assert (risky["Migrate"].risk, risky["Migrate"].deadline) == ("at_risk", T0 + 2 * H)
    assert risky["Migrate"].deadline_name == "point of no return"
    with time_machine.travel(T0 + 110 * M, tick=False):  # 30 over: Verify ends T+2h40m, the window T+2h30m
        risky = {f.task.name: f for f in _now_forecast(plan).at_risk}
    assert {name: f.risk for name, f in risky.items()} == {"Migrate": "at_risk", "Verify": "at_risk"}
    assert risky["Verify"].deadline_name == "end of the maintenance window"
    with time_machine.travel(T0 + 121 * M, tick=False):  # T+2h passed with Migrate not done
        assert {f.task.name: f.risk for f in _now_forecast(plan).at_risk}["Migrate"] == "missed"


@pytest.mark.django_db
def test_a_gate_is_the_deadline_of_the_steps_its_criteria_name(plan: Plan, cutover: list[Step]) -> None:
    freeze = cutover[0]
    gate = _gate(plan=plan, name="Go/No-Go", offset=10 * M)
    factories.ItemFactory(checklist__plan=plan, gate=gate, step=freeze)
    with time_machine.travel(T0 - H, tick=False):  # Freeze (T+0, 20m) cannot end before the gate at T+10m
        risky = _now_forecast(plan).at_risk
    assert [(f.task.name, f.risk, f.deadline_name) for f in risky] == [("Freeze", "at_risk", "Go/No-Go")]


def test_day_offsets_keep_the_wall_clock_time_across_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    t0 = datetime(2026, 11, 10, 7, 5, tzinfo=berlin)  # winter time (CET)
    before = offset_moment(t0, berlin, timedelta(days=-30)).astimezone(berlin)
    assert (before.date().isoformat(), before.strftime("%H:%M %Z")) == ("2026-10-11", "07:05 CEST")
    hours = offset_moment(t0, berlin, -timedelta(days=30, hours=2)).astimezone(berlin)
    assert hours.strftime("%H:%M") == "05:05"  # 30 calendar days, then 2 elapsed hours
    assert offset_moment(t0, berlin, -6 * H) == t0 - 6 * H  # hours stay elapsed time
    assert offset_moment(t0, berlin, timedelta(0)) == t0


@pytest.mark.django_db
def test_a_plans_day_offsets_use_its_zone(coordinator: User) -> None:
    plan = _plan(coordinator=coordinator, timezone="Europe/Berlin", t0=datetime(2026, 11, 10, 6, 5, tzinfo=UTC))
    step = _step(plan=plan, offset=timedelta(days=-30))
    assert plan.local(step.planned_start).strftime("%d %b %H:%M") == "11 Oct 07:05"


@pytest.mark.django_db
def test_a_step_waiting_for_a_gate_cannot_start_before_it_passed(plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, primary=coordinator)
    step = _step(plan=plan, name="Switch DNS", offset=H, relative=True, lead_role=role)
    gate = _gate(plan=plan, name="Go/No-Go", offset=H)
    gate.blocks.add(step)
    with pytest.raises(ValidationError, match="waits for the gate “Go/No-Go” \\(pending\\)"):
        step_start(step, by=coordinator)
    Gate.objects.filter(pk=gate.pk).update(status=GateStatus.PASSED, decided_at=T0)
    assert step_start(step, by=coordinator).status == "in_progress"
