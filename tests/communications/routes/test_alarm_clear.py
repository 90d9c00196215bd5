"""An alarm says who raised it (a person, an alert, a tool through the API), and its clear goes only where
its alarm went: a trigger raised and cleared between two ticks tells nobody (not "Rollback alarm cleared…"
alone in chat, not a PagerDuty resolve for a key it never got), and a trigger raised again after an earlier
alarm was told does not borrow that alarm for its own clear."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import time_machine

from plans.models import RollbackTrigger
from plans.runbook.services import rollback_trigger_clear, rollback_trigger_raise
from tests.beats import tick_at

from .conftest import NOW, M, S, Setup, posted

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def _trigger(setup: Setup) -> RollbackTrigger:
    trigger = RollbackTrigger.objects.create(
        plan=setup.plan, description="Data loss", kind="discretionary", comparator=">", action="Roll back"
    )
    trigger.roles.set([setup.tech])
    return trigger


def _pull(trigger: RollbackTrigger, by: User, at: datetime, cleared_after: datetime) -> None:
    with time_machine.travel(at, tick=False):
        rollback_trigger_raise(trigger, by=by, reason="Orders lost")
    with time_machine.travel(cleared_after, tick=False):
        rollback_trigger_clear(trigger, by=by, reason="False alarm")


def _sent(setup: Setup) -> tuple[list[str], list[str], list[str]]:
    slack = [d["text"] for d in posted(setup.sink, "/ok/slack")]
    teams = [d["attachments"][0]["content"]["body"][0]["text"] for d in posted(setup.sink, "/ok/teams")]
    pd = [d["event_action"] for d in posted(setup.sink, "/ok/pd")]
    return slack, teams, pd


def test_a_trigger_raised_and_cleared_between_ticks_tells_nobody(routed: Setup, coordinator: User) -> None:
    trigger = _trigger(routed)
    _pull(trigger, coordinator, NOW, NOW + S)
    tick_at(NOW + 5 * S)
    tick_at(NOW + M)
    assert _sent(routed) == ([], [], [])


def test_a_clear_follows_its_own_alarm_not_an_earlier_one(routed: Setup, coordinator: User) -> None:
    trigger = _trigger(routed)
    with time_machine.travel(NOW, tick=False):
        rollback_trigger_raise(trigger, by=coordinator, reason="Orders lost")
    tick_at(NOW + 5 * S)  # the alarm goes out
    with time_machine.travel(NOW + 2 * M, tick=False):
        rollback_trigger_clear(trigger, by=coordinator, reason="Restored")
    tick_at(NOW + 2 * M + 5 * S)  # and its clear
    _pull(trigger, coordinator, NOW + 10 * M, NOW + 10 * M + S)  # between two ticks
    tick_at(NOW + 10 * M + 5 * S)
    tick_at(NOW + 11 * M)
    slack, teams, pd = _sent(routed)
    assert [t.split(":")[0] for t in slack] == ["ROLLBACK ALARM", "Rollback alarm cleared"]
    assert len(teams) == 2 and "ROLLBACK ALARM" in teams[0] and "cleared" in teams[1]
    assert pd == ["trigger", "resolve"]


@pytest.mark.parametrize(
    ("reason", "via", "said"),
    [
        (
            "Alertmanager alert DataCorrupt firing: rows lost",
            "alert",
            "raised by an alert: Alertmanager alert DataCorrupt",
        ),
        ("Orders lost", "", "raised through the API: Orders lost"),
        # a tool that words its reason like an alert is still a tool: the event says what raised it
        ("Alertmanager alert Fake firing", "", "raised through the API: Alertmanager alert Fake"),
        ("Rows lost", "alert", "raised by an alert: Rows lost"),
    ],
)
def test_an_alarm_an_alert_raised_does_not_say_by_hand(
    routed: Setup, coordinator: User, reason: str, via: str, said: str
) -> None:
    from api.services import token_create

    token, _ = token_create(routed.plan, by=coordinator, name="Alertmanager", scopes=["issues"])
    identity = token.identity
    identity.token_plan_id = routed.plan.pk  # type: ignore[attr-defined]  # as api.auth marks it for one request
    with time_machine.travel(NOW, tick=False):
        rollback_trigger_raise(_trigger(routed), by=identity, reason=reason, via=via)
    tick_at(NOW + 5 * S)
    slack, _, _ = _sent(routed)
    assert len(slack) == 1 and said in slack[0] and "by hand" not in slack[0]


def test_an_alarm_a_person_raised_says_by_hand(routed: Setup, coordinator: User) -> None:
    with time_machine.travel(NOW, tick=False):
        rollback_trigger_raise(_trigger(routed), by=coordinator, reason="Orders lost")
    tick_at(NOW + 5 * S)
    slack, _, _ = _sent(routed)
    assert len(slack) == 1 and "raised by hand: Orders lost" in slack[0]
