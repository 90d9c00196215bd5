"""T-0 passed and not launched: a launch is declared by hand, so at T-0 a plan still counting down read "T+00:05:00"
beside "COUNTDOWN" on the board (a VP read it as launched five minutes ago) and on the plan page. From T-0 on, the
board's T-0 line says "passed, not launched" and the plan page's clock "T-0 has passed: not launched yet"; before
T-0 the words are there, hidden, for the page's own clock to show at T-0 (tests/browser/test_unlaunched.py). A
launched, held, ended or clockless plan has no such words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from plans import services as ps
from plans.models import PlanStatus
from tests import factories
from warroom import views

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BOARD_NOTE = re.compile(r'id="wr-unlaunched" data-wr-from="\d+"( hidden)?> · passed, not launched')
PAGE_NOTE = re.compile(r'id="clock-unlaunched" data-shown-from="\d+" data-server-now="\d+"( hidden)?>T-0 has passed')


def _plan(coordinator: User, status: str = PlanStatus.COUNTDOWN) -> Plan:
    return factories.PlanFactory(coordinator=coordinator, t0=T0, status=status)


def _board_note(plan: Plan) -> str | None:
    """ "shown", "hidden", or None when the board has no such words."""
    found = BOARD_NOTE.search(views.render_board(plan))
    return None if found is None else ("hidden" if found.group(1) else "shown")


def _page_note(client: Client, plan: Plan) -> str | None:
    found = PAGE_NOTE.search(client.get(f"/plans/{plan.slug}/").content.decode())
    return None if found is None else ("hidden" if found.group(1) else "shown")


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN])
def test_from_t0_on_a_plan_not_launched_says_so(coordinator: User, client: Client, status: str) -> None:
    plan = _plan(coordinator, status)
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(minutes=10), tick=False):
        assert _board_note(plan) == "hidden" and _page_note(client, plan) == "hidden"
        assert 'id="t0-passed-hint"' not in client.get(f"/plans/{plan.slug}/").content.decode()
    with time_machine.travel(T0, tick=False):  # T-0 itself reads T+00:00:00: passed
        assert _board_note(plan) == "shown" and _page_note(client, plan) == "shown"
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        assert _board_note(plan) == "shown" and _page_note(client, plan) == "shown"
        page = client.get(f"/plans/{plan.slug}/").content.decode()
        assert "T+04:00:00" in page  # the clock still counts
        # the coordinator is told the outbox goes on (a hold stops it), where the hold is started
        assert ('id="t0-passed-hint"' in page) is (status != PlanStatus.DRAFT)


def test_a_launched_held_ended_or_clockless_plan_does_not(coordinator: User, client: Client) -> None:
    client.force_login(coordinator)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        launched = _plan(coordinator)
        ps.plan_launch(launched, by=coordinator)
        held = _plan(coordinator)
        ps.hold_start(held, by=coordinator, reason="Waiting for the DBA")
        aborted = _plan(coordinator)
        ps.plan_transition(aborted, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")
        clockless = factories.PlanFactory(coordinator=coordinator, t0=T0, clockless=True)
        for plan in (launched, held, aborted, clockless):
            plan.refresh_from_db()
            assert _board_note(plan) is None and _page_note(client, plan) is None, plan.status
