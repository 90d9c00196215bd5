"""The role page shows each step's planned vs forecast start and end and the slip, as the timeline does,
from the live forecast (time travel), in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.services import step_finish, step_start
from launch.services.importer import import_plan_text
from plans.models import Plan, Step
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

CUTOVER = Path(__file__).resolve().parent.parent / "runbooks" / "database-cutover.yaml"
M = timedelta(minutes=1)


def _cutover(coordinator: User) -> Plan:
    return import_plan_text(
        CUTOVER.read_text(), t0="2026-12-05T22:00", tz="UTC", filename=CUTOVER.name, coordinator=coordinator
    )


def _run(plan: Plan, name: str, by: User, start: timedelta, finish: timedelta | None) -> None:
    step = Step.objects.get(plan=plan, name=name)
    with time_machine.travel(plan.t0 + start, tick=False):
        step_start(step, by=by)
    if finish is not None:
        with time_machine.travel(plan.t0 + finish, tick=False):
            step_finish(step, by=by)


def _row(page: str, step: Step) -> str:
    start = page.index(f'id="step-{step.pk}"')
    return page[start : page.index("</li>", start)]


def _role_page(client: Client, plan: Plan, role: str, at: datetime) -> str:
    with time_machine.travel(at, tick=False):
        response = client.get(reverse("checklists:role", args=[plan.slug, role]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_overrun_upstream_moves_the_forecast_on_the_role_page(client: Client, coordinator: User) -> None:
    plan = _cutover(coordinator)
    _run(plan, "Announce maintenance", coordinator, 0 * M, 5 * M)
    _run(plan, "Put the application in maintenance mode", coordinator, 5 * M, 15 * M)
    _run(plan, "Stop replication writers", coordinator, 15 * M, 25 * M)
    _run(plan, "Final backup of the old cluster", coordinator, 25 * M, None)  # 45m planned: ends T+1h10m
    compare = Step.objects.get(plan=plan, name="Compare row counts")  # QA's, after the DBA's catch-up
    client.force_login(coordinator)

    on_time = _row(_role_page(client, plan, "qa", plan.t0 + 30 * M), compare)
    assert "Planned</span> Sat 23:30–23:45" in on_time
    assert "Forecast as planned</span>" in on_time and ">on time</span>" in on_time

    late = _row(_role_page(client, plan, "qa", plan.t0 + 110 * M), compare)  # the backup runs 40 minutes over
    assert "Planned</span> Sat 23:30–23:45" in late
    assert "Forecast</span> <strong>Sun 00:10–00:25</strong>" in late
    assert 'class="slip slip-late"' in late and ">+40m</span>" in late

    _run(plan, "Final backup of the old cluster", coordinator, 110 * M, 110 * M)
    dba = _role_page(client, plan, "dba", plan.t0 + 110 * M)
    backup = _row(dba, Step.objects.get(plan=plan, name="Final backup of the old cluster"))
    assert "Actual</span> <strong>Sat 22:25–23:50</strong>" in backup and ">+40m</span>" in backup


@pytest.mark.django_db
def test_a_deadline_that_will_be_missed_is_flagged_on_the_role_page(client: Client, coordinator: User) -> None:
    plan = _cutover(coordinator)
    _run(plan, "Announce maintenance", coordinator, 0 * M, 5 * M)
    _run(plan, "Put the application in maintenance mode", coordinator, 5 * M, 15 * M)
    _run(plan, "Stop replication writers", coordinator, 15 * M, 25 * M)
    _run(plan, "Final backup of the old cluster", coordinator, 25 * M, None)
    client.force_login(coordinator)
    page = _role_page(client, plan, "dba", plan.t0 + 150 * M)  # the backup still runs at T+2h30m
    promote = _row(page, Step.objects.get(plan=plan, name="Promote the new primary"))
    assert '<span class="badge risk-at_risk">at risk:' in promote or '<span class="badge risk-missed">' in promote


@pytest.mark.django_db
def test_the_forecast_costs_a_fixed_number_of_queries(client: Client, coordinator: User) -> None:
    plan = _cutover(coordinator)
    client.force_login(coordinator)
    counts: list[int] = []
    for extra in (0, 40):
        for n in range(extra):
            factories.StepFactory(plan=plan, name=f"More {len(counts)}-{n}", lead_role=plan.roles.get(slug="dba"))
        with CaptureQueriesContext(connection) as ctx:
            _role_page(client, plan, "dba", plan.t0)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # the steps, their dependencies and waits (prefetched), and the plan's gates and their criteria: the gates
    # the steps wait for are read once, for the rows and the forecast both; + 1 (issue 14): the status page's
    # drafts waiting for the comms role (statuspage.drafts.draft_tasks; none, so no role lookup); + 2 (issue 13):
    # the role's readiness items and the trainings it leads or gives (the page's Readiness section); + 1: the
    # role's open issues (issues/role_page.py); + 1: the gates it decides or votes in (checklists.plan_parts)
    assert counts[0] == 21, counts


@pytest.mark.django_db
def test_another_role_reads_the_forecast_but_cannot_start_the_step(client: Client, coordinator: User) -> None:
    plan = _cutover(coordinator)
    qa_person = factories.UserFactory(username="qa-person")
    plan.roles.filter(slug="qa").update(primary=qa_person)
    client.force_login(qa_person)
    page = _role_page(client, plan, "dba", plan.t0)  # everyone signed in reads every plan
    assert "only the role's primary, backup or the coordinator" in page and "data-forecast" in page
    backup = Step.objects.get(plan=plan, name="Final backup of the old cluster")
    with time_machine.travel(plan.t0, tick=False):
        response = client.post(reverse("checklists:step_start", args=[plan.slug, "dba", backup.pk]))
    assert response.status_code == 403
    assert Step.objects.get(pk=backup.pk).status == "pending"
