"""When T-0 moves (an early launch that moves it to now, a hold that ends, a re-baseline), the outbox drops
its unsent rows and makes them again at their new moments at once (``communications.outbox.due``), not at its
next tick: right after launching two hours early, the communications page lists what has just come due (the
go-live notice, the briefing planned two hours before T-0) under "Due, going out" and the rest as scheduled.
It was empty until the next tick (the page lists the sources' sends after now; what came due was nowhere)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from plans import services as ps
from plans.models import Plan, PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _plan(coordinator: User) -> Plan:
    with time_machine.travel(T0 - timedelta(days=10), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    channel = factories.ChannelFactory(plan=plan, name="Staff list", target="staff@example.com")
    for name, offset, every, count in [
        ("Launch-day briefing", -2 * H, None, None),
        ("Go-live notice", timedelta(0), None, None),
        ("Hourly update", -H, H, 3),
    ]:
        message = factories.MessageFactory(plan=plan, name=name, offset=offset, every=every, count=count)
        message.channels.set([channel])
    return plan


def _section(html: str, name: str) -> str:
    found = re.search(rf'<section class="comm-section" id="{name}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


STOPPED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.parametrize("redis", ["up", "stopped"])
def test_the_page_lists_what_came_due_right_after_an_early_launch(
    client: Client, coordinator: User, settings: Settings, redis: str
) -> None:
    """Also with Redis stopped (the shared cache and the live pages' fan-out unreachable): the launch and its
    T-0 move still go through, and what the move brought due is made in the same transaction and listed."""
    if redis == "stopped":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": STOPPED}}
        settings.REDIS_URL = STOPPED
    plan = _plan(coordinator)
    client.force_login(coordinator)
    launch = T0 - 3 * H
    with time_machine.travel(launch - timedelta(minutes=1), tick=False):
        assert outbox.materialise() == 0  # nothing due yet
        before = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert "Launch-day briefing" in _section(before, "scheduled") and not _section(before, "waiting")
    with time_machine.travel(launch, tick=False):
        response = client.post(
            reverse("plans:transition", args=[plan.slug]), {"to": "launched", "move_t0": "1"}, follow=True
        )
        assert "T-0 moved to now" in response.content.decode()
        html = client.get(reverse("communications:page", args=[plan.slug])).content.decode()  # no tick in between
    plan.refresh_from_db()
    assert plan.t0 <= launch
    waiting, scheduled = _section(html, "waiting"), _section(html, "scheduled")
    for due in ("Launch-day briefing", "Go-live notice", "Hourly update (2/3)"):
        assert due in waiting, due
    assert "Hourly update (3/3)" in scheduled and "Go-live notice" not in scheduled
    made = set(Delivery.objects.filter(plan=plan).values_list("label", flat=True))
    assert made == {"Launch-day briefing", "Go-live notice", "Hourly update (1/3)", "Hourly update (2/3)"}
    with time_machine.travel(launch + timedelta(seconds=15), tick=False):
        assert outbox.materialise() == 0  # the tick finds them made


def test_a_send_awaiting_approval_stays_listed_when_a_hold_ends(client: Client, coordinator: User) -> None:
    """The briefing came due and waits for approval; a hold starts and ends: the outbox drops what it has not
    sent and makes it again, and the page lists it all along, not only from the next tick."""
    plan = _plan(coordinator)
    plan.messages.filter(name="Launch-day briefing").update(requires_approval=True)  # fixture set-up
    client.force_login(coordinator)
    with time_machine.travel(T0 - 2 * H + timedelta(minutes=1), tick=False) as traveller:
        assert outbox.materialise() == 1
        assert Delivery.objects.get().status == DeliveryStatus.AWAITING_APPROVAL
        ps.hold_start(plan, by=coordinator, reason="Waiting for the vendor")
        traveller.shift(timedelta(minutes=2))
        ps.hold_end(plan, by=coordinator)
        html = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert "Launch-day briefing" in _section(html, "waiting")
    assert Delivery.objects.get().status == DeliveryStatus.AWAITING_APPROVAL
