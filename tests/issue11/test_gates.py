"""Issue 11, finding 7: a passed gate says so (no "voting opens…" without a button); a coordinator reopens a
decided gate with a reason; the NO-GO button says what it will really do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from checklists.models import Gate, GateStatus
from checklists.selectors import no_go_effect
from checklists.services import gate_decide, gate_open_poll, gate_reopen, vote_cast
from plans.models import Event, Plan, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _gate_plan(coordinator: User, status: str) -> tuple[Plan, Gate, User]:
    plan = factories.PlanFactory(coordinator=coordinator, status=status)
    authority = factories.RoleFactory(plan=plan, name="Release Manager")
    gate = factories.GateFactory(plan=plan, authority_role=authority, slug="go-no-go", name="Go/No-Go")
    assert authority.primary is not None
    return plan, gate, authority.primary


def test_passed_gate_tells_its_authority_it_passed(coordinator: User, client: Client) -> None:
    plan, gate, authority = _gate_plan(coordinator, PlanStatus.COUNTDOWN)
    manager = plan.roles.get(name="Release Manager")  # type: ignore[attr-defined]
    gate.polled_roles.set([manager])  # type: ignore[attr-defined]
    gate_open_poll(gate, by=authority)  # type: ignore[arg-type]
    vote_cast(gate, role=manager, by=authority, vote="go")  # type: ignore[arg-type]
    gate_decide(gate, by=authority, decision="go")  # type: ignore[arg-type]
    client.force_login(authority)
    html = client.get(f"/plans/{plan.slug}/gates/go-no-go/").content.decode()
    assert "Voting opens when the authority opens the poll" not in html
    assert "This gate has passed" in html


def test_coordinator_reopens_a_decided_gate_with_a_reason(coordinator: User) -> None:
    plan, gate, authority = _gate_plan(coordinator, PlanStatus.DRAFT)
    gate_decide(gate, by=authority, decision="no_go", reason="Staging failed")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        gate_reopen(gate, by=authority, reason="I changed my mind")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        gate_reopen(gate, by=coordinator, reason="")  # type: ignore[arg-type]
    rev = Plan.objects.get(pk=plan.pk).revision
    reopened = gate_reopen(gate, by=coordinator, reason="Staging fixed")  # type: ignore[arg-type]
    assert reopened.status == GateStatus.PENDING and reopened.decision == "" and reopened.poll_round == 2
    event = Event.objects.get(plan=plan, kind="gate.reopened")
    assert "Staging fixed" in event.summary and "was No-go" in event.summary
    assert Plan.objects.get(pk=plan.pk).revision > rev
    with pytest.raises(ValidationError):
        gate_reopen(gate, by=coordinator, reason="again")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "effect"),
    [
        (PlanStatus.DRAFT, "recorded only: a draft plan has no countdown to hold"),
        (PlanStatus.SCHEDULED, "holds the launch"),
        (PlanStatus.COUNTDOWN, "holds the launch"),
        (PlanStatus.HOLD, "the launch stays on hold"),
        (PlanStatus.LAUNCHED, "recorded only: the launch is launched"),
    ],
)
def test_no_go_button_says_what_will_happen(coordinator: User, client: Client, status: str, effect: str) -> None:
    plan, gate, authority = _gate_plan(coordinator, status)
    assert no_go_effect(plan) == effect
    client.force_login(authority)
    html = client.get(f"/plans/{plan.slug}/gates/go-no-go/").content.decode()
    assert f"NO-GO ({effect})" in html
    if status == PlanStatus.DRAFT:
        assert "holds the launch" not in html
