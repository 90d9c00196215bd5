"""An abort, a rollback or a handoff that closes the launch is told to the routes that take state changes, like
any other state change: the outbox sends an ended launch nothing more, but the news that it ended is the last
thing it sends (it never went: the plan left the outbox's live plans in the same moment, so the war-room
channel heard of the countdown and the launch but not of the abort). Nothing else goes out after it: a reminder
falling due later is not made, and the pager is not paged. An abort or a rollback is also emailed, once, to
everyone who works the launch (communications/sources/ending.py); a handoff, a calm end, is not."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail

from communications.models import Delivery, DeliveryStatus
from plans import services as ps
from plans.models import PlanStatus
from tests import factories

from .conftest import NOW, M, Setup, posted
from .test_timetravel import beats, titles

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ending", [PlanStatus.ABORTED, PlanStatus.ROLLED_BACK])
def test_the_ending_reaches_chat_once_and_nothing_after_it(routed: Setup, coordinator: User, ending: str) -> None:
    factories.ItemFactory(checklist__plan=routed.plan, checklist__role=routed.tech, due_offset=20 * M)
    with time_machine.travel(NOW + 2 * M, tick=False):
        ps.plan_transition(routed.plan, to=ending, by=coordinator, reason="Payments fail in production")
    beats(0, 40)  # two beats every three minutes, well past the item's due time
    said = titles(routed, "/ok/slack")
    label = "Aborted" if ending == PlanStatus.ABORTED else "Rolled back"
    assert said == [f"Launch Launched → {label}: Payments fail in production"], said
    assert len(posted(routed.sink, "/ok/teams")) == 1  # the managers' channel hears it too, once
    assert posted(routed.sink, "/ok/pd") == []  # a state change is no page
    assert not Delivery.objects.filter(plan=routed.plan, source_kind__startswith="item.").exists()
    assert not Delivery.objects.filter(plan=routed.plan).exclude(status=DeliveryStatus.SENT).exists()
    # and everyone who works the launch is told by email, once: the roles' holders and the coordinator
    shout = "ABORTED" if ending == PlanStatus.ABORTED else "ROLLED BACK"
    told = [m for m in mail.outbox if m.subject == f"[Checkout v2] Launch {shout}: stop the launch's work"]
    people = {routed.tech.primary.email, routed.mgmt.primary.email, coordinator.email}  # type: ignore[union-attr]
    assert sorted(a for m in told for a in m.to) == sorted(people), [m.to for m in told]
    body = told[0].body
    assert "Payments fail in production" in body and "/plans/checkout-v2/" in body
    assert f"by {coordinator.get_full_name() or coordinator.username}" in body
    assert ("abort procedure" if ending == PlanStatus.ABORTED else "rollback procedure") in body


def test_a_launch_ended_long_ago_is_not_told_again(routed: Setup, coordinator: User) -> None:
    """Past the outbox's look-back (24 h) an ending that was never told is not dug up."""
    with time_machine.travel(NOW + 2 * M, tick=False):
        ps.plan_transition(routed.plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
    with time_machine.travel(NOW + 25 * 60 * M, tick=False):
        from tests.beats import tick_at

        tick_at(NOW + 25 * 60 * M)
    assert posted(routed.sink, "/ok/slack") == []


def test_the_handoff_that_closes_the_launch_is_told_too(routed: Setup, coordinator: User) -> None:
    from review import services as rs

    ops = factories.RoleFactory(plan=routed.plan, name="Operations", slug="ops-receiver", backup=None)
    assert ops.primary is not None
    with time_machine.travel(NOW + 2 * M, tick=False):
        rs.handoff_propose(routed.plan, by=coordinator, to_role=ops, systems=["LMS"], runbooks=[], contacts=[])
        rs.handoff_accept(routed.plan, by=ops.primary)
    beats(0, 10)
    said = titles(routed, "/ok/slack")
    assert len(said) == 1 and said[0].startswith("Launch Launched → Closed"), said
    assert not [m for m in mail.outbox if "stop the launch's work" in m.subject]  # a calm end: no email


def test_an_ended_launch_is_worked_out_a_tick_or_two_after_it_not_every_tick(routed: Setup, coordinator: User) -> None:
    """The tick visits an ended launch only until a tick begun after its end has finished (its sources are not
    worked out again every 15 s for a day)."""
    from communications.outbox.due import _just_ended
    from plans.models import Plan

    with time_machine.travel(NOW + 2 * M, tick=False):
        ps.plan_transition(routed.plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
    assert Plan.objects.filter(_just_ended(NOW + 3 * M)).exists()  # no tick since: it is visited
    beats(3, 10)  # ticks at +3, +6 and +9 minutes
    assert not Plan.objects.filter(_just_ended(NOW + 10 * M)).exists()
    assert len(titles(routed, "/ok/slack")) == 1
