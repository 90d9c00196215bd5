"""The rollout through all four stages on a travelling clock (issue 12, item 5): a soak refused early with
its reasons, a metric off target (or unread in the stage) blocking the advance, a breach proposing a
rollback (on the state, and in the alarm's message), the stage rollback recorded, the soak starting again,
and at the last stage a breach answered by rolling the launch back. Every refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from communications.sources.alarms import trigger_alarms
from plans.models import Event, PlanStatus, Rollout, RolloutStage
from plans.rollout.selectors import rollout_state
from plans.rollout.services import RolloutRefused, rollout_advance, rollout_rollback

from .world import T0, RolloutWorld, minutes, rollout_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _refused(w: RolloutWorld) -> list[str]:
    before = (Rollout.objects.values_list("current", "stage_started_at").get(plan=w.plan), Event.objects.count())
    with pytest.raises(RolloutRefused) as exc:
        rollout_advance(w.plan, by=w.authority)
    after = (Rollout.objects.values_list("current", "stage_started_at").get(plan=w.plan), Event.objects.count())
    assert after == before  # a refused advance changes nothing
    return exc.value.messages


def _current(w: RolloutWorld) -> int:
    return Rollout.objects.get(plan=w.plan).current


def test_through_four_stages_with_refusals_a_breach_and_both_rollbacks(clock: time_machine.Traveller) -> None:
    w = rollout_world()
    rollout_advance(w.plan, by=w.authority, expected=0)  # T+0: the canary starts; nothing to soak before it
    assert _current(w) == 1
    rollout_advance(w.plan, by=w.authority, expected=0)  # a double click: already moved, nothing new
    assert _current(w) == 1 and Event.objects.filter(kind="rollout.advanced").count() == 1

    clock.shift(minutes(10))
    reasons = _refused(w)  # soaking, and no reading yet in this stage
    assert "The 10 % stage soaks until 11:30 (20m left)." in reasons
    assert any(r.startswith("Error rate has no reading since the 10 % stage started") for r in reasons)

    w.read(errors="0.4", latency="450")
    clock.shift(minutes(21))  # the soak is over, latency is off target
    assert _refused(w) == ["Latency is off target: 450 ms (target < 300 ms)."]
    state = rollout_state(w.plan, now=timezone.now())
    assert state is not None and [h.status for h in state.health] == ["on", "off"] and not state.soaking

    w.read(latency="210")
    rollout_advance(w.plan, by=w.authority)  # T+31m: 25 %
    assert _current(w) == 2
    assert _refused(w)[0] == "The 25 % stage soaks until 12:31 (1h left)."

    clock.shift(minutes(61))
    w.read(errors="0.3", latency="200")
    rollout_advance(w.plan, by=w.authority)  # T+1h32m: 50 %
    assert _current(w) == 3

    # Errors climb during the 50 % stage: after 10 minutes over 5 % the trigger is in breach.
    clock.shift(minutes(5))
    w.read(errors="7")
    clock.shift(minutes(11))
    w.read(errors="8")
    state = rollout_state(w.fresh(), now=timezone.now())
    assert state is not None and state.proposal is not None
    assert state.proposal.back_to is not None and state.proposal.back_to.percent == 25
    body = _alarm_body(w, clock)
    assert "During the rollout's 50 % stage (Half): roll back to 25 % or roll back the launch." in body
    assert "Release manager decides" in body
    assert "Rollback trigger “Errors over 5 % for 10 min” is in breach." in _refused(w)

    with pytest.raises(PermissionDenied):
        rollout_rollback(w.plan, by=w.sre, to="stage", reason="errors")
    rollout_rollback(w.plan, by=w.authority, to="stage", reason="Errors over 5 % at half traffic", expected=3)
    rollout_rollback(w.plan, by=w.authority, to="stage", reason="double click", expected=3)  # nothing new
    assert _current(w) == 2
    assert Event.objects.filter(kind="rollout.stage_rolled_back").count() == 1
    state = rollout_state(w.fresh(), now=timezone.now())
    assert state is not None and state.proposal is None  # answered
    assert state.soak_remaining == minutes(60)  # the 25 % stage soaks again from now

    clock.shift(minutes(61))
    w.read(errors="0.2", latency="190")
    rollout_advance(w.plan, by=w.authority)  # back to 50 %
    clock.shift(minutes(61))
    w.read(errors="0.2")
    rollout_advance(w.plan, by=w.coordinator)  # the coordinator may decide too: 100 %
    assert _current(w) == 4
    assert _refused(w) == ["The rollout is at its last stage (100 %)."]

    # A breach at 100 %: the authority rolls the launch back (the plan's own transition).
    w.read(errors="9")
    clock.shift(minutes(11))
    w.read(errors="9")
    state = rollout_state(w.fresh(), now=timezone.now())
    assert state is not None and state.proposal is not None and state.proposal.back_to is not None
    rollout_rollback(w.plan, by=w.authority, to="launch", reason="Errors at full traffic")
    plan = w.fresh()
    assert plan.status == PlanStatus.ROLLED_BACK
    assert Event.objects.filter(plan=plan, kind="plan.state", data__to="rolled_back").exists()
    assert Event.objects.filter(plan=plan, kind="rollout.launch_rolled_back").exists()
    assert rollout_state(plan, now=timezone.now()).proposal is None  # type: ignore[union-attr]
    assert "The launch is Rolled back" in _refused(w)[0]


def _alarm_body(w: RolloutWorld, clock: time_machine.Traveller) -> str:
    now = timezone.now()
    specs = list(trigger_alarms(w.fresh(), now - minutes(5), now))
    assert specs
    return specs[0].render()[1]


def test_the_first_stage_proposes_only_the_launch_rollback(clock: time_machine.Traveller) -> None:
    w = rollout_world()
    rollout_advance(w.plan, by=w.authority)
    w.read(errors="6")
    clock.shift(minutes(10))
    state = rollout_state(w.fresh(), now=timezone.now())
    assert state is not None and state.proposal is not None and state.proposal.back_to is None
    assert "During the rollout's 10 % stage (Canary): roll back the launch." in _alarm_body(w, clock)
    with pytest.raises(Exception, match="first stage has no stage before it"):
        rollout_rollback(w.plan, by=w.authority, to="stage", reason="errors")
    assert _current(w) == 1


def test_only_the_authority_or_coordinator_moves_it_and_not_before_the_launch(
    clock: time_machine.Traveller,
) -> None:
    w = rollout_world(launched=False)
    with pytest.raises(PermissionDenied):
        rollout_advance(w.plan, by=w.sre)
    assert _refused(w) == ["The launch is Draft: the traffic moves only once it is launched."]
    assert _current(w) == 0


def test_a_rollout_whose_stages_were_all_deleted_refuses_plainly(clock: time_machine.Traveller) -> None:
    w = rollout_world()
    rollout_advance(w.plan, by=w.authority)
    RolloutStage.objects.filter(rollout__plan=w.plan).delete()  # (as the admin may)
    with pytest.raises(ValidationError, match="no stages"):
        rollout_advance(w.plan, by=w.authority)
    with pytest.raises(ValidationError, match="Nothing to roll back"):
        rollout_rollback(w.plan, by=w.authority, to="launch", reason="errors")
