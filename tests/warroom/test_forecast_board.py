"""The board shows the forecast end of the cutover, how far it slipped and the deadlines at risk; "who owns
what" counts the steps a role leads and the work nobody owns. The timeline shows planned, forecast and
actual bars and draws the gates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from checklists.models import Gate
from checklists.services import step_start
from plans.models import Plan, Step
from plans.services import plan_reschedule
from tests import factories
from warroom import selectors, views


def _step(**fields: Any) -> Step:
    return cast(Step, factories.StepFactory(**fields))


def _gate(**fields: Any) -> Gate:
    return cast(Gate, factories.GateFactory(**fields))


def _plan(**fields: Any) -> Plan:
    return cast(Plan, factories.PlanFactory(**fields))


T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cutover(plan: Plan, coordinator: User) -> list[Step]:
    role = factories.RoleFactory(plan=plan, name="DBA", primary=coordinator)
    first = _step(plan=plan, name="Backup", offset=timedelta(0), estimate=60 * M, lead_role=role)
    second = _step(plan=plan, name="Migrate", offset=timedelta(0), estimate=30 * M, relative=True, lead_role=role)
    second.depends_on.add(first)
    third = _step(plan=plan, name="Verify", offset=timedelta(0), estimate=20 * M, relative=True, lead_role=None)
    third.depends_on.add(second)
    gate = _gate(plan=plan, name="Go/No-Go", offset=timedelta(0))
    gate.blocks.add(first)
    Plan.objects.filter(pk=plan.pk).update(window_end=2 * 60 * M)
    with transaction.atomic():
        plan_reschedule(plan)
    plan.refresh_from_db()
    return [first, second, third]


def _overrun(plan: Plan, coordinator: User, first: Step) -> None:
    gate = plan.gates.get()
    type(gate).objects.filter(pk=gate.pk).update(status="passed", decided_at=T0)
    with time_machine.travel(T0, tick=False):
        step_start(first, by=coordinator)


def test_the_board_shows_the_forecast_end_its_slip_and_the_deadline_at_risk(
    plan: Plan, coordinator: User, cutover: list[Step]
) -> None:
    _overrun(plan, coordinator, cutover[0])
    with time_machine.travel(T0 + 100 * M, tick=False):  # the 1h backup is 40 minutes over
        plan.refresh_from_db()
        board = selectors.board(plan)
        html = views.render_board(plan)
    assert board.forecast is not None and board.forecast.slip == 40 * M
    assert 'id="wr-forecast"' in html
    assert "+40m" in html
    assert "AT RISK: Verify" in html  # forecast to end 14:30, the window ends 14:00, which is still ahead


def test_who_owns_what_counts_steps_and_unowned_work(plan: Plan, coordinator: User, cutover: list[Step]) -> None:
    """Items and steps are counted apart, as the home page, the role page and the plan page count them: the
    heading says "0/1 items · 0/3 steps done", never one mixed figure."""
    checklist = factories.ChecklistFactory(plan=plan, role=None)
    factories.ItemFactory(checklist=checklist, owner_role=None, title="Nobody's")
    with time_machine.travel(T0 - 60 * M, tick=False):
        plan.refresh_from_db()
        board = selectors.board(plan)
        html = views.render_board(plan)
    dba = next(r for r in board.roles if r.name == "DBA")
    assert (dba.done, dba.total, dba.steps_done, dba.steps_total) == (0, 0, 0, 2)  # the two steps it leads, no items
    assert board.unowned is not None
    assert (board.unowned.done, board.unowned.total, board.unowned.steps_total) == (0, 1, 1)  # the item; Verify
    assert (board.items_done, board.items_total, board.steps_done, board.steps_total) == (0, 1, 0, 3)
    assert "0/1 items · 0/3 steps done</span>" in html
    assert "0/2 steps</span>" in html  # the DBA owns no item: its row counts its steps


def test_the_timeline_shows_planned_forecast_and_actual_and_draws_gates(
    client: Client,
    plan: Plan,
    coordinator: User,
    cutover: list[Step],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _overrun(plan, coordinator, cutover[0])
    client.force_login(coordinator)
    with time_machine.travel(T0 + 100 * M, tick=False), django_assert_max_num_queries(16):
        page = client.get(reverse("plans:timeline", args=[plan.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="bar forecast"') == 3
    assert html.count('class="bar actual"') == 1
    assert 'class="tl-gate passed"' in html and "Go/No-Go" in html
    assert 'id="tl-forecast"' in html and "+40m" in html
    assert "after the end of the maintenance window" in html


def test_a_clockless_plan_shows_progress_not_a_countdown(client: Client, coordinator: User) -> None:
    from pathlib import Path

    from checklists.models import Item
    from checklists.services import item_tick
    from launch.services.importer import import_plan_text

    text = (Path(__file__).resolve().parent.parent / "runbooks" / "launch-coordination.yaml").read_text()
    plan = import_plan_text(text, filename="c.yaml", t0=None, coordinator=coordinator)
    item_tick(Item.objects.filter(plan=plan).first(), by=coordinator)  # type: ignore[arg-type]
    html = views.render_board(plan)
    assert 'id="wr-progress"' in html and 'id="wr-clock"' not in html
    assert "1/12 items done · no T-0" in html and "8%" in html
    assert "Open items" in html and "Forecast end" not in html
    client.force_login(coordinator)
    page = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "No T-0" in page and "data-countdown" not in page
    assert "This plan has no steps." in page and "Every step is done." not in page
    timeline = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
    assert 'id="tl-clockless"' in timeline


def test_a_step_an_hour_over_shows_as_behind_while_the_launch_end_is_still_on_time(
    plan: Plan, coordinator: User
) -> None:
    """The walkthrough's finding: the panel said "on time" (the last step is fixed by ``at`` at T+3h, so
    the end does not move) while the first step ran an hour past its planned end. Now it names the step."""
    role = factories.RoleFactory(plan=plan, name="DBA", primary=coordinator)
    first = _step(plan=plan, name="Backup", offset=timedelta(0), estimate=30 * M, lead_role=role)
    _step(plan=plan, name="Announce", offset=180 * M, estimate=10 * M, lead_role=role)
    plan.refresh_from_db()
    with time_machine.travel(T0, tick=False):
        step_start(first, by=coordinator)
    with time_machine.travel(T0 + 90 * M, tick=False):
        plan.refresh_from_db()
        board = selectors.board(plan)
        html = views.render_board(plan)
    assert board.forecast is not None and board.forecast.slip == timedelta(0)
    assert [f.task.name for f in board.forecast.behind] == ["Backup"]
    assert "BEHIND +1h: Backup" in html


def test_a_step_on_plan_is_not_behind(plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, name="DBA", primary=coordinator)
    first = _step(plan=plan, name="Backup", offset=timedelta(0), estimate=30 * M, lead_role=role)
    with time_machine.travel(T0, tick=False):
        step_start(first, by=coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        plan.refresh_from_db()
        html = views.render_board(plan)
    assert "BEHIND" not in html
