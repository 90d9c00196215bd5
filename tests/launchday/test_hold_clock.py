"""On hold the plan's clock stands at the hold's start (``plans.lateness.plan_clock``): what falls due during the
hold is not late, since the hold's end slips it and its reminders wait. It read "LATE" on the board, "Late" on the
role page and the timeline and OVERDUE on the gate while the clock stood still, then "Due" again once the hold
ended. What was late before the hold stays late; the hold's end brings the clock back, slipped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from plans import services as ps
from plans.models import Plan, PlanStatus
from tests import factories
from warroom import selectors

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _badges(client: Client, plan: Plan) -> list[tuple[str, str]]:
    html = client.get(f"/plans/{plan.slug}/roles/dba/").content.decode()
    rows = html.split('id="rows"', 1)[-1]
    row = r'<div class="row-title">\s*(?:<[^>]+>\s*)*([^<]+?)\s*<.*?class="badge state-([a-z_-]+)"'
    return re.findall(row, rows, re.S)


def _plan(coordinator: User) -> Plan:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=coordinator)
    checklist = factories.ChecklistFactory(plan=plan, role=role)
    factories.ItemFactory(checklist=checklist, title="Snapshot taken", due_offset=-150 * M)  # before the hold
    factories.ItemFactory(checklist=checklist, title="Backup verified", due_offset=-105 * M)  # during it
    factories.StepFactory(plan=plan, name="Cut over DNS", offset=-100 * M, lead_role=role)
    factories.GateFactory(plan=plan, name="Go", slug="go", offset=-105 * M, authority_role=role)
    return plan


def test_what_falls_due_during_a_hold_is_not_late(coordinator: User, client: Client) -> None:
    plan = _plan(coordinator)
    client.force_login(coordinator)
    with time_machine.travel(T0 - 120 * M, tick=False):
        ps.hold_start(plan, by=coordinator, reason="Payment provider down")
    with time_machine.travel(T0 - 90 * M, tick=False):  # half an hour into the hold
        board = selectors.board(Plan.objects.get(pk=plan.pk))
        assert board.late_total == 1 and [e.late for e in board.entries if e.title == "Snapshot taken"] == [True]
        assert [g.overdue_since for g in board.gates] == [None]
        badges = dict(_badges(client, plan))
        assert badges["Snapshot taken"] == "overdue" and badges["Backup verified"] != "overdue", badges
        assert badges["Step"] == "upcoming", badges  # (the step's row: its "STEP" label comes first)
        timeline = client.get(f"/plans/{plan.slug}/timeline/").content.decode()
        assert "1 steps." in timeline and 'late-text">1 late' not in timeline
        assert "decision overdue" not in client.get(f"/plans/{plan.slug}/gates/go/").content.decode()
        # "Also yours": the gate's decision is not due yet by the plan's clock (it read "Due" by the wall clock)
        tasks = client.get(f"/plans/{plan.slug}/roles/dba/").content.decode().split('id="tasks"', 1)[1]
        assert "Decide the Go gate" in tasks and "state-upcoming" in tasks and "state-due" not in tasks
        assert client.get(f"/plans/{plan.slug}/").content.decode().count("decision overdue") == 0
        ps.hold_end(Plan.objects.get(pk=plan.pk), by=coordinator)  # T-0 slips by the hold's 30 minutes
        board = selectors.board(Plan.objects.get(pk=plan.pk))
        assert board.late_total == 1 and [g.overdue_since for g in board.gates] == [None]
    with time_machine.travel(T0 - 65 * M, tick=False):  # the slipped moments come (T-105 is now T-75, T-100 T-70)
        board = selectors.board(Plan.objects.get(pk=plan.pk))
        assert board.late_total == 3 and board.gates[0].overdue_since is not None
        assert 'late-text">1 late' in client.get(f"/plans/{plan.slug}/timeline/").content.decode()


def test_a_recurring_check_due_during_a_hold_is_not_late(coordinator: User, client: Client) -> None:
    """An every-ten-minutes check whose occurrence came due during the hold read late on the role page and the
    board; by the plan's clock its current occurrence is the one at the hold's start."""
    from checklists.cards import plan_cards
    from checklists.series.models import Occurrence, Recurrence

    plan = _plan(coordinator)
    check = factories.ItemFactory(checklist=plan.checklists.get(), title="Error rate checked", due_offset=None)
    Recurrence.objects.create(plan=plan, item=check, every=10 * M, start=-150 * M, until=timedelta(0))
    with time_machine.travel(T0 - 125 * M, tick=False):
        for i in range(3):  # ticked up to the one due at T-130 (the occurrence at T-120 comes due at the hold's start)
            Occurrence.objects.create(
                item=check, index=i, due_at=T0 - (150 - 10 * i) * M, done_at=T0, done_by=coordinator
            )
        ps.hold_start(plan, by=coordinator, reason="Payment provider down")
    client.force_login(coordinator)
    with time_machine.travel(T0 - 90 * M, tick=False):
        badges = dict(_badges(client, plan))
        board = selectors.board(Plan.objects.get(pk=plan.pk))
        (card,) = plan_cards([Plan.objects.get(pk=plan.pk)])
    assert card.items_late == 1  # type: ignore[attr-defined]  # the home page's card: the snapshot only
    assert badges["Repeats"] == "due_soon", badges  # (the recurring row: its "Repeats" label comes first)
    assert board.late_total == 1, [(e.title, e.late) for e in board.entries]  # the snapshot only


def test_an_issues_response_sla_counts_by_the_wall_clock_on_hold(coordinator: User, client: Client) -> None:
    """The hold stands the plan's clock, not the issues' response SLAs: an issue raised during the hold counts
    down from when it was raised, on the role page too."""
    from issues.models import SeveritySLA
    from issues.services import issue_open
    from roles.models import Role

    plan = _plan(coordinator)
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=15 * M)
    with time_machine.travel(T0 - 120 * M, tick=False):
        ps.hold_start(plan, by=coordinator, reason="Payment provider down")
    client.force_login(coordinator)
    with time_machine.travel(T0 - 100 * M, tick=False):
        dba = Role.objects.get(plan=plan, slug="dba")
        issue_open(plan, by=coordinator, title="Checkout errors", severity="critical", owner_role=dba)
    with time_machine.travel(T0 - 95 * M, tick=False):
        page = client.get(f"/plans/{plan.slug}/roles/dba/").content.decode()
    section = page.split('id="role-issues"', 1)[1].split("</section>", 1)[0]
    assert "10\xa0minutes left" in section or "10 minutes left" in section, section
