from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from checklists.models import GateStatus, ItemStatus, Vote
from checklists.services import (
    gate_decide,
    gate_open_poll,
    item_tick,
    trigger_clear,
    trigger_raise,
    vote_cast,
)
from plans.models import Event, Hold, PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from checklists.models import Gate, Item, NoGoTrigger
    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db


class GateSetup(TypedDict):
    gate: Gate
    director: User
    qa_user: User
    ops_user: User
    qa: Role
    ops: Role
    criterion: Item
    trigger: NoGoTrigger


@pytest.fixture
def setup(plan: Plan) -> GateSetup:
    director = factories.UserFactory(username="director")
    qa_user = factories.UserFactory(username="qa")
    ops_user = factories.UserFactory(username="ops")
    authority = factories.RoleFactory(plan=plan, name="Launch Director", slug="director", primary=director)
    qa = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=qa_user)
    ops = factories.RoleFactory(plan=plan, name="Ops", slug="ops", primary=ops_user)
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go", authority_role=authority)
    gate.polled_roles.set([qa, ops])
    checklist = factories.ChecklistFactory(plan=plan, role=qa)
    criterion = factories.ItemFactory(checklist=checklist, title="Regression suite green", gate=gate)
    trigger = factories.NoGoTriggerFactory(gate=gate, description="Critical bug open")
    return {
        "gate": gate,
        "director": director,
        "qa_user": qa_user,
        "ops_user": ops_user,
        "qa": qa,
        "ops": ops,
        "criterion": criterion,
        "trigger": trigger,
    }


def test_go_refused_names_each_blocker(setup: GateSetup) -> None:
    s = setup
    trigger_raise(s["trigger"], by=s["ops_user"], reason="BUG-12 still open")
    gate_open_poll(s["gate"], by=s["director"])
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="no_go", comment="Flaky login test")
    with pytest.raises(ValidationError) as exc:
        gate_decide(s["gate"], by=s["director"], decision="go")
    text = " ".join(exc.value.messages)
    assert "Criterion “Regression suite green” is open." in text
    assert "No-go trigger “Critical bug open” is raised." in text
    assert "QA Lead voted NO-GO: Flaky login test" in text
    assert "Ops has not voted in poll round 1." in text
    s["gate"].refresh_from_db()
    assert s["gate"].status == GateStatus.POLLING


def test_go_passes_when_everything_is_green(setup: GateSetup, plan: Plan) -> None:
    s = setup
    item_tick(s["criterion"], by=s["qa_user"])
    gate_open_poll(s["gate"], by=s["director"])
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="go")
    vote_cast(s["gate"], role=s["ops"], by=s["ops_user"], vote="go")
    gate = gate_decide(s["gate"], by=s["director"], decision="go", reason="All green")
    assert gate.status == GateStatus.PASSED
    assert gate.decided_by == s["director"] and gate.decision_reason == "All green"
    assert Event.objects.filter(plan=plan, kind="gate.decided", data__decision="go").count() == 1


def test_no_go_puts_the_launch_on_hold(setup: GateSetup, plan: Plan) -> None:
    s = setup
    gate = gate_decide(s["gate"], by=s["director"], decision="no_go", reason="Payments flaky")
    plan.refresh_from_db()
    assert gate.status == GateStatus.NO_GO
    assert plan.status == PlanStatus.HOLD
    hold = Hold.objects.get(plan=plan)
    assert "Payments flaky" in hold.reason and hold.started_by == s["director"]


def test_no_go_needs_a_reason(setup: GateSetup) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        gate_decide(setup["gate"], by=setup["director"], decision="no_go")


def test_only_the_authority_decides(setup: GateSetup) -> None:
    with pytest.raises(PermissionDenied):
        gate_decide(setup["gate"], by=setup["qa_user"], decision="no_go", reason="x")
    with pytest.raises(PermissionDenied):
        gate_open_poll(setup["gate"], by=setup["qa_user"])


def test_new_round_after_no_go_discards_old_votes(setup: GateSetup) -> None:
    s = setup
    gate_open_poll(s["gate"], by=s["director"])
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="go")
    gate_decide(s["gate"], by=s["director"], decision="no_go", reason="Ops not ready")
    gate = gate_open_poll(s["gate"], by=s["director"])
    assert gate.poll_round == 2
    item_tick(s["criterion"], by=s["qa_user"])
    vote_cast(gate, role=s["ops"], by=s["ops_user"], vote="go")
    with pytest.raises(ValidationError, match="QA Lead has not voted in poll round 2"):
        gate_decide(gate, by=s["director"], decision="go")


def test_vote_rules(setup: GateSetup) -> None:
    s = setup
    with pytest.raises(ValidationError, match="not open"):
        vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="go")
    gate_open_poll(s["gate"], by=s["director"])
    with pytest.raises(PermissionDenied):
        vote_cast(s["gate"], role=s["qa"], by=s["ops_user"], vote="go")
    with pytest.raises(ValidationError, match="Say why"):
        vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="no_go")
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="go")
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="go")  # double click
    vote_cast(s["gate"], role=s["qa"], by=s["qa_user"], vote="no_go", comment="Changed my mind")
    assert Vote.objects.filter(gate=s["gate"]).count() == 1
    assert Vote.objects.get(gate=s["gate"]).vote == "no_go"
    assert Event.objects.filter(kind="gate.voted").count() == 2


def test_unpolled_role_cannot_vote(setup: GateSetup, plan: Plan) -> None:
    other_user = factories.UserFactory(username="other")
    other = factories.RoleFactory(plan=plan, name="Marketing", slug="mkt", primary=other_user)
    gate_open_poll(setup["gate"], by=setup["director"])
    with pytest.raises(ValidationError, match="not polled"):
        vote_cast(setup["gate"], role=other, by=other_user, vote="go")


def test_triggers_raise_and_clear_by_role_holders_only(setup: GateSetup, plan: Plan) -> None:
    s = setup
    outsider = factories.UserFactory(username="outsider")
    with pytest.raises(PermissionDenied):
        trigger_raise(s["trigger"], by=outsider, reason="x")
    with pytest.raises(ValidationError, match="Say why"):
        trigger_raise(s["trigger"], by=s["ops_user"], reason=" ")
    trigger_raise(s["trigger"], by=s["ops_user"], reason="BUG-12")
    trigger_raise(s["trigger"], by=s["ops_user"], reason="BUG-12")  # double click: one event
    trigger = trigger_clear(s["trigger"], by=s["qa_user"], reason="Fixed in 1.2.1")
    assert not trigger.raised and trigger.cleared_reason == "Fixed in 1.2.1"
    assert Event.objects.filter(kind="trigger.raised").count() == 1
    assert Event.objects.filter(kind="trigger.cleared").count() == 1


def test_optional_criterion_does_not_block(setup: GateSetup) -> None:
    s = setup
    s["criterion"].required = False
    s["criterion"].save()
    trigger = s["trigger"]
    assert not trigger.raised
    s["gate"].polled_roles.clear()
    gate = gate_decide(s["gate"], by=s["director"], decision="go")
    assert gate.status == GateStatus.PASSED
    s["criterion"].refresh_from_db()
    assert s["criterion"].status == ItemStatus.OPEN
