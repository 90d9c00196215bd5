"""A called procedure's forecast end from its steps' estimates (pure), and on the board and the plan page
once the launch rolls back (time travel)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from launch.services.importer import import_plan_text
from plans.models import PlanStatus, Procedure, ProcedureStep
from plans.runbook.procedure_forecast import procedure_forecast
from plans.runbook.services import procedure_step_mark
from plans.services import plan_transition

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

M = timedelta(minutes=1)
CALL = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
GOLIVE = Path(__file__).resolve().parent.parent / "runbooks" / "golive_template.yaml"


def test_nothing_ticked_the_procedure_ends_after_its_estimates() -> None:
    f = procedure_forecast([(10 * M, None), (5 * M, None)], called_at=CALL, now=CALL + 2 * M)
    assert f is not None and f.planned_end == CALL + 15 * M and f.end == CALL + 15 * M and f.slip == timedelta(0)


def test_a_step_that_runs_over_moves_the_end_and_an_early_tick_pulls_it_in() -> None:
    late = procedure_forecast([(10 * M, None), (5 * M, None)], called_at=CALL, now=CALL + 25 * M)
    assert late is not None and late.end == CALL + 30 * M and late.slip == 15 * M
    early = procedure_forecast([(10 * M, CALL + 4 * M), (5 * M, None)], called_at=CALL, now=CALL + 5 * M)
    assert early is not None and early.end == CALL + 9 * M and early.slip == -6 * M
    done = procedure_forecast([(10 * M, CALL + 4 * M), (5 * M, CALL + 12 * M)], called_at=CALL, now=CALL + 30 * M)
    assert done is not None and done.done and done.end == CALL + 12 * M


def test_no_estimates_or_no_call_no_forecast() -> None:
    assert procedure_forecast([(None, None)], called_at=CALL, now=CALL) is None
    assert procedure_forecast([(5 * M, None)], called_at=None, now=CALL) is None
    assert procedure_forecast([], called_at=CALL, now=CALL) is None


@pytest.mark.django_db
def test_the_board_and_the_plan_page_show_the_called_procedure_s_forecast(client: Client, coordinator: User) -> None:
    plan = import_plan_text(
        GOLIVE.read_text(), t0="2026-12-06T09:00", tz="UTC", filename=GOLIVE.name, coordinator=coordinator
    )
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(plan, to=state, by=coordinator)
    with time_machine.travel(CALL, tick=False):
        plan_transition(plan, to=PlanStatus.ROLLED_BACK, by=coordinator, reason="Failed payments")
    rollback = Procedure.objects.get(plan=plan, kind="rollback")  # Point DNS back 10m, Tell users 5m
    client.force_login(coordinator)
    with time_machine.travel(CALL + 25 * M, tick=False):  # the DNS step runs 15 minutes over
        board = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
        page = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert f'id="wr-procedure-forecast-{rollback.pk}">ends ~10:30 <span class="slip slip-late">+15m</span>' in board
    assert "Forecast end <strong>Sun 10:30</strong> · planned Sun 10:15" in page
    with time_machine.travel(CALL + 26 * M, tick=False):
        for step in ProcedureStep.objects.filter(procedure=rollback):
            procedure_step_mark(step, by=coordinator, done=True)
        board = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    assert f'id="wr-procedure-forecast-{rollback.pk}">done 10:26' in board
