"""The board names the phase of the work under way: after T-0 moved two days on, the clock alone named
"Phase 1: Pre-Launch Preparation" while Phase 2's steps were done and its Soft Launch was running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plans.models import Plan, StepStatus
from tests import factories
from warroom.selectors import board

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def _phases(plan: Plan) -> list:
    prep = factories.PhaseFactory(
        plan=plan, name="Preparation", order=1, start_offset=timedelta(days=-7), end_offset=timedelta(hours=-6)
    )
    day = factories.PhaseFactory(
        plan=plan, name="Deployment day", order=2, start_offset=timedelta(hours=-6), end_offset=timedelta(hours=6)
    )
    after = factories.PhaseFactory(plan=plan, name="After", order=3, start_offset=timedelta(hours=6))
    return [prep, day, after]


def test_the_phase_of_the_running_step_beats_the_clock(plan: Plan) -> None:
    prep, day, after = _phases(plan)
    Plan.objects.filter(pk=plan.pk).update(t0=NOW + timedelta(days=2))  # re-based: now is in Preparation's time
    plan.refresh_from_db()
    factories.StepFactory(
        plan=plan,
        phase=day,
        offset=timedelta(hours=-2),
        status=StepStatus.IN_PROGRESS,
        actual_start=NOW - timedelta(minutes=5),
    )
    shown = board(plan, now=NOW)
    assert (shown.phase, shown.next_phase) == (day, after)


def test_without_running_work_the_clock_names_the_phase(plan: Plan) -> None:
    prep, day, after = _phases(plan)
    Plan.objects.filter(pk=plan.pk).update(t0=NOW + timedelta(days=2))
    plan.refresh_from_db()
    factories.StepFactory(plan=plan, phase=day, offset=timedelta(hours=-2), status=StepStatus.DONE)
    shown = board(plan, now=NOW)
    assert (shown.phase, shown.next_phase) == (prep, day)
