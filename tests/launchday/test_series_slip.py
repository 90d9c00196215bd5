"""A repeating message follows a hold like everything after it: a hold that started after the series' first
send pinned its offset (plans.timing.pin_before), so each send after the hold's start slips by the hold's
length while the sends before it stay where they were (communications.sources.schedule.occurrence_at)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from communications.sources.schedule import communication_plan, occurrence_at, occurrences
from plans.services import hold_end, hold_start
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from communications.models import Message
    from plans.models import Plan

pytestmark = pytest.mark.django_db
SLIP = timedelta(minutes=2, seconds=27)


@pytest.fixture
def hourly(plan: Plan) -> Message:
    """``at: T-6h, every: 1h, count: 7``: the last send at T+0."""
    message = factories.MessageFactory(
        plan=plan, name="Hourly status update (internal)", offset=timedelta(hours=-6), every=timedelta(hours=1), count=7
    )
    message.channels.add(factories.ChannelFactory(plan=plan, kind="email", target="war-room@example.com"))
    return message


def _hold(plan: Plan, coordinator: User, at: timedelta, length: timedelta) -> Plan:
    """The plan after a hold of ``length`` at ``at``: a fresh instance, as a page or a beat reads it (a plan
    keeps the slips it read: plans.slips)."""
    with time_machine.travel(plan.t0 + at, tick=False) as traveller:
        hold_start(plan, by=coordinator, reason="Waiting for the CDN")
        traveller.shift(length)
        hold_end(plan, by=coordinator)
    return type(plan).objects.get(pk=plan.pk)


def test_the_sends_after_the_hold_slip_those_before_stay(plan: Plan, hourly: Message, coordinator: User) -> None:
    old_t0 = plan.t0
    before = [occurrence_at(plan, hourly, n) for n in range(1, 8)]
    plan = _hold(plan, coordinator, -timedelta(hours=1, minutes=45), SLIP)
    hourly.refresh_from_db()
    after = [occurrence_at(plan, hourly, n) for n in range(1, 8)]
    assert after[:5] == before[:5]  # T-6h … T-2h: sent (or due) before the hold started
    assert after[5:] == [before[5] + SLIP, before[6] + SLIP]  # T-1h and T+0 slip with T-0
    assert after[6] == plan.t0 == old_t0 + SLIP


def test_holds_add_up_and_the_window_finds_the_slipped_sends(plan: Plan, hourly: Message, coordinator: User) -> None:
    first = occurrence_at(plan, hourly, 1)
    plan = _hold(plan, coordinator, -timedelta(hours=3, minutes=30), timedelta(minutes=20))  # after send 3 (T-4h)
    plan = _hold(plan, coordinator, -timedelta(minutes=30), timedelta(minutes=40))  # after send 6 (T-1h)
    hourly.refresh_from_db()
    moments = [occurrence_at(plan, hourly, n) for n in range(1, 8)]
    hours = timedelta(hours=1)
    assert moments[:3] == [first, first + hours, first + 2 * hours]
    assert moments[3:6] == [first + k * hours + timedelta(minutes=20) for k in (3, 4, 5)]
    assert moments[6] == first + 6 * hours + timedelta(minutes=60) == plan.t0
    # A beat's window just after send 6 was due (unslipped) finds it at its slipped moment, and nothing else.
    start, end = first + 5 * hours, first + 5 * hours + timedelta(minutes=25)
    assert list(occurrences(plan, hourly, after=start, until=end)) == [(6, moments[5])]
    specs = list(communication_plan(plan, start, end))
    assert [(s.label, s.due_at) for s in specs] == [("Hourly status update (internal) (6/7)", moments[5])]


def test_the_communications_page_shows_the_slipped_times(
    client: Client, plan: Plan, hourly: Message, coordinator: User
) -> None:
    plan = _hold(plan, coordinator, -timedelta(hours=1, minutes=45), SLIP)
    hourly.refresh_from_db()
    client.force_login(coordinator)
    sixth = timezone.localtime(occurrence_at(plan, hourly, 6), plan.zone)
    with time_machine.travel(plan.t0 - timedelta(hours=1, minutes=30), tick=False):
        page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert f"{sixth:%H:%M}" in page
    unslipped = timezone.localtime(plan.t0 - SLIP - timedelta(hours=1), plan.zone)
    assert f"{unslipped:%H:%M}" != f"{sixth:%H:%M}"
