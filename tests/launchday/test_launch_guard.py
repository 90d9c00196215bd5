"""A gate that says no guards the launch (plans.guards, checklists.launch_guard): the launch and the end of
the NO-GO's hold are refused while the gate says NO-GO (or its poll is open), unless the coordinator gives
the reason for overriding it, which is recorded; the plan page's "→ Launched" asks first and says why."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from checklists.models import GateKind, GateStatus
from checklists.services import gate_decide, gate_open_poll, vote_cast
from plans.models import Event, Hold, PlanStatus
from plans.services import TransitionError, hold_end, hold_start, plan_transition
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Gate
    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def dba(plan: Plan) -> Role:
    return factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=factories.UserFactory(username="dba"))


@pytest.fixture
def gate(plan: Plan, dba: Role) -> Gate:
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go", offset=timedelta(days=-1))
    gate.authority_role = None  # the coordinator decides
    gate.save()
    gate.polled_roles.set([dba])
    return gate


def _no_go(gate: Gate, dba: Role, coordinator: User) -> None:
    """The tester's path: the poll opens, the DBA votes NO-GO, the coordinator decides NO-GO (a hold starts)."""
    gate_open_poll(gate, by=coordinator)
    assert dba.primary is not None
    vote_cast(gate, role=dba, by=dba.primary, vote="no_go", comment="Replication lag")
    gate_decide(gate, by=coordinator, decision="no_go", reason="Replication lag too high")


def test_a_no_go_keeps_its_hold_and_refuses_the_launch(plan: Plan, gate: Gate, dba: Role, coordinator: User) -> None:
    with time_machine.travel(plan.t0 - timedelta(hours=2), tick=False):
        _no_go(gate, dba, coordinator)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.HOLD
        with pytest.raises(TransitionError, match="Go/No-Go is decided NO-GO: Replication lag too high"):
            hold_end(plan, by=coordinator)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.HOLD and Hold.objects.get().ended_at is None
    with time_machine.travel(plan.t0 - timedelta(hours=1, minutes=45), tick=False):
        hold_end(plan, by=coordinator, override="The DBA says the lag is gone; re-poll after launch")
        plan.refresh_from_db()
        assert plan.status == PlanStatus.COUNTDOWN
        with pytest.raises(TransitionError, match="decided NO-GO"):
            plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.COUNTDOWN
        assert not Event.objects.filter(plan=plan, kind="plan.state", data__to=PlanStatus.LAUNCHED).exists()


def test_an_override_is_recorded_with_its_reason_and_the_gate(
    plan: Plan, gate: Gate, dba: Role, coordinator: User
) -> None:
    with time_machine.travel(plan.t0 - timedelta(hours=2), tick=False):
        _no_go(gate, dba, coordinator)
        hold_end(plan, by=coordinator, override="Lag fixed")
        plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator, override="  Board approved by phone  ")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED
    overrides = list(Event.objects.filter(plan=plan, kind="gate.overridden").order_by("pk"))
    assert [e.data["action"] for e in overrides] == ["end the hold", "launch"]
    assert overrides[1].data["reason"] == "Board approved by phone"
    assert overrides[1].actor == coordinator
    assert "Go/No-Go is decided NO-GO" in overrides[1].summary


def test_an_open_poll_refuses_the_launch_a_pass_allows_it(plan: Plan, gate: Gate, dba: Role, coordinator: User) -> None:
    gate_open_poll(gate, by=coordinator)
    with pytest.raises(TransitionError, match="poll is open"):
        plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator)
    assert dba.primary is not None
    vote_cast(gate, role=dba, by=dba.primary, vote="go")
    gate_decide(gate, by=coordinator, decision="go")
    plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED
    assert not Event.objects.filter(kind="gate.overridden").exists()


def test_gates_after_t0_and_validations_do_not_guard_the_launch(plan: Plan, coordinator: User) -> None:
    factories.GateFactory(plan=plan, offset=timedelta(hours=4), status=GateStatus.NO_GO)  # decided after the launch
    factories.GateFactory(plan=plan, offset=timedelta(hours=-1), kind=GateKind.VALIDATION, status=GateStatus.NO_GO)
    factories.GateFactory(plan=plan, offset=timedelta(hours=-1))  # never polled: the confirmation names nothing
    plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED


def test_a_hold_of_its_own_ends_whatever_a_gate_says(plan: Plan, gate: Gate, coordinator: User) -> None:
    """Only the NO-GO's own hold waits for its gate; a hold the coordinator started for another reason ends."""
    Gate = type(gate)
    Gate.objects.filter(pk=gate.pk).update(status=GateStatus.NO_GO, decision="no_go")
    hold_start(plan, by=coordinator, reason="Waiting for the CDN")
    hold_end(plan, by=coordinator)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN


def test_a_non_coordinator_cannot_override(plan: Plan, gate: Gate, dba: Role, coordinator: User) -> None:
    _no_go(gate, dba, coordinator)
    assert dba.primary is not None
    with pytest.raises(PermissionDenied):
        hold_end(plan, by=dba.primary, override="I say so")
    assert not Event.objects.filter(kind="gate.overridden").exists()


# --- The plan page ------------------------------------------------------------------------------------


def test_the_page_asks_before_launching_and_names_the_gate(
    client: Client, plan: Plan, gate: Gate, dba: Role, coordinator: User
) -> None:
    client.force_login(coordinator)
    url = reverse("plans:detail", args=[plan.slug])
    page = client.get(url).content.decode()
    assert '<details class="confirm-launch"' in page and "→ Launched…" in page
    assert "the public status page say <strong>Launched</strong>" in page
    assert "Yes, launch now" in page and "A gate says no" not in page
    # A gate never decided does not refuse the launch, but the confirmation says so (it said nothing).
    assert 'id="launch-cautions"' in page and "Go/No-Go is not decided yet" in page
    gate_open_poll(gate, by=coordinator)
    page = client.get(url).content.decode()
    assert "A gate says no" in page and "Go/No-Go&#x27;s poll is open" in page
    assert 'id="launch-cautions"' not in page  # polling: no longer pending, it refuses instead
    assert 'name="override"' in page and "Override the gate and launch" in page


def test_the_view_refuses_then_takes_the_override(
    client: Client, plan: Plan, gate: Gate, dba: Role, coordinator: User
) -> None:
    _no_go(gate, dba, coordinator)
    client.force_login(coordinator)
    end = reverse("plans:hold_end", args=[plan.slug])
    page = client.post(end, follow=True).content.decode()
    assert "decided NO-GO" in page and "give the reason for overriding the gate" in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HOLD
    assert "This hold is the gate's NO-GO" in page and "Override the gate and resume" in page
    client.post(end, {"override": "Lag fixed, DBA agrees"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN
    launch = reverse("plans:transition", args=[plan.slug])
    page = client.post(launch, {"to": "launched", "override": ""}, follow=True).content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN and "decided NO-GO" in page
    client.post(launch, {"to": "launched", "override": "Exec sign-off <b>by phone</b>"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED
    activity = client.get(reverse("plans:activity", args=[plan.slug])).content.decode()
    assert "Gate overridden" in activity and "Exec sign-off &lt;b&gt;by phone&lt;/b&gt;" in activity


@pytest.mark.parametrize("path", ["plans:transition", "plans:hold_end"])
def test_someone_else_gets_403_and_changes_nothing(
    client: Client, plan: Plan, gate: Gate, dba: Role, coordinator: User, path: str
) -> None:
    _no_go(gate, dba, coordinator)
    if path == "plans:transition":
        hold_end(plan, by=coordinator, override="Lag fixed")
    before = plan.__class__.objects.get(pk=plan.pk).status
    assert dba.primary is not None
    client.force_login(dba.primary)
    response = client.post(reverse(path, args=[plan.slug]), {"to": "launched", "override": "I say so"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == before
    assert not Event.objects.filter(kind="gate.overridden", actor=dba.primary).exists()
    assert "confirm-launch" not in client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
