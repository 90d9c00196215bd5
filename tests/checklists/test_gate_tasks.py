"""The gates a role decides or votes in are on its page, under "Also yours" (checklists.plan_parts.gate_tasks): a
go/no-go call was on no role's page, so a DBA whose vote the T-1d gate asked learnt of it from the coordinator.
"Decide the … gate" for the authority, "Vote on the … gate" for a polled role (saying whether its poll is open), at
the moment the decision is due, opening the gate's page; gone once decided, and on a launch that has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine

from checklists.models import GateStatus
from plans import services as ps
from plans.models import PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _tasks(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split('id="tasks"', 1)[1].split("</section>", 1)[0] if 'id="tasks"' in html else ""


def test_the_authority_and_the_voters_see_the_gate_on_their_pages(coordinator: User, client: Client) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    execs = factories.RoleFactory(plan=plan, name="Executive Team", slug="execs")
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    factories.RoleFactory(plan=plan, name="Operations", slug="ops")  # neither decides nor votes
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go", offset=-timedelta(days=1), authority_role=execs)
    gate.polled_roles.set([dba])
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        mine = _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        assert "Decide the Go/No-Go gate" in mine and "Mon 30 Nov 12:00" in mine and "Upcoming" in mine
        assert f'href="/plans/{plan.slug}/gates/go/"' in mine
        voter = _tasks(client, f"/plans/{plan.slug}/roles/dba/")
        assert "Vote on the Go/No-Go gate" in voter and "Its poll opens when its authority opens it." in voter
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/ops/")
        gate.status = GateStatus.POLLING
        gate.save(update_fields=["status"])
        assert "Its poll is open: vote on its page." in _tasks(client, f"/plans/{plan.slug}/roles/dba/")
    with time_machine.travel(T0 - timedelta(hours=20), tick=False):
        assert "Due" in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        gate.status = GateStatus.PASSED
        gate.save(update_fields=["status"])
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        gate.status = GateStatus.PENDING
        gate.save(update_fields=["status"])
        ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")
        assert "Go/No-Go" not in _tasks(client, f"/plans/{plan.slug}/roles/execs/")


def _gate_at_t_minus_1d(plan: Any, authority: Any, *polled: Any) -> Any:
    """The plan's Go/No-Go at T-1d, decided by ``authority`` with the votes of ``polled``."""
    gate = factories.GateFactory(
        plan=plan, name="Go/No-Go", slug="go", offset=-timedelta(days=1), authority_role=authority
    )
    gate.polled_roles.set(polled)
    return gate


def test_an_open_poll_says_who_has_voted(coordinator: User, client: Client) -> None:
    """A DBA who had voted still read "Its poll is open: vote on its page", and the authority could not tell from
    its page whether the votes were in: the voter's row is done, with its answer, who and when; the authority's
    says how many of the polled roles have voted in this round (a new round counts afresh)."""
    from checklists.services import gates as gs

    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    execs = factories.RoleFactory(plan=plan, name="Executive Team", slug="execs", primary=coordinator)
    dee = factories.UserFactory(username="dee", first_name="Dee", last_name="Bee")
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=dee)
    qa = factories.RoleFactory(plan=plan, name="QA", slug="qa")
    gate = _gate_at_t_minus_1d(plan, execs, dba, qa)
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(days=1, hours=2), tick=False):
        gs.gate_open_poll(gate, by=coordinator)
        assert "Its poll is open: 0 of 2 polled roles have voted." in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
    with time_machine.travel(T0 - timedelta(days=1, hours=1), tick=False):
        gs.vote_cast(gate, role=dba, by=dee, vote="go")
        mine = _tasks(client, f"/plans/{plan.slug}/roles/dba/")
        assert "Voted GO by Dee Bee at Mon 30 Nov 11:00 UTC" in mine and "state-done" in mine
        assert "vote on its page" not in mine
        assert "Its poll is open: 1 of 2 polled roles have voted." in _tasks(client, f"/plans/{plan.slug}/roles/execs/")
        waiting = _tasks(client, f"/plans/{plan.slug}/roles/qa/")
        assert "Its poll is open: vote on its page." in waiting and "state-done" not in waiting
        gs.gate_decide(gate, by=coordinator, decision="no_go", reason="The load test failed")
        gs.gate_reopen(gate, by=coordinator, reason="The load test is to run again")
        gs.gate_open_poll(gate, by=coordinator)
        again = _tasks(client, f"/plans/{plan.slug}/roles/dba/")
        assert "Its poll is open: vote on its page." in again and "Voted GO" not in again
        assert "Its poll is open: 0 of 2 polled roles have voted." in _tasks(client, f"/plans/{plan.slug}/roles/execs/")


def test_an_authority_that_is_polled_too_is_told_its_own_vote(coordinator: User, client: Client) -> None:
    """The Technical Lead decides the demo's Go/No-Go and is polled in it: its row said how many had voted, not
    that its own vote (which a GO needs) was missing."""
    from checklists.services import gates as gs

    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    lead = factories.RoleFactory(plan=plan, name="Technical Lead", slug="tech", primary=coordinator)
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    gate = _gate_at_t_minus_1d(plan, lead, lead, dba)
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(days=1, hours=2), tick=False):
        gs.gate_open_poll(gate, by=coordinator)
        mine = _tasks(client, f"/plans/{plan.slug}/roles/tech/")
        assert "0 of 2 polled roles have voted." in mine and "This role is polled too and has not voted yet." in mine
        gs.vote_cast(gate, role=lead, by=coordinator, vote="go")
        mine = _tasks(client, f"/plans/{plan.slug}/roles/tech/")
    assert "1 of 2 polled roles have voted." in mine and "This role voted GO." in mine
    assert "Decide the Go/No-Go gate" in mine and "Vote on" not in mine  # one row: the decision
