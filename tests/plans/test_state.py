"""The launch's state machine and countdown clock through the plan page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from plans.models import Hold, PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan
    from tests.fixture_types import ClientResponse


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def go(client: Client, plan: Plan, to: str, reason: str = "") -> ClientResponse:
    return client.post(reverse("plans:transition", args=[plan.slug]), {"to": to, "reason": reason}, follow=True)


def test_full_lifecycle_through_the_page(client: Client, coordinator: User) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, status=PlanStatus.DRAFT)
    client.force_login(coordinator)
    for to in ("scheduled", "countdown", "launched", "stabilizing", "completed"):
        go(client, plan, to)
        plan.refresh_from_db()
        assert plan.status == to
    html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "No further state change" in html


def test_abort_needs_a_reason_and_works_from_hold(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "DNS"})
    html = go(client, plan, "aborted").content.decode()
    assert "Say why the launch is aborted." in html
    go(client, plan, "aborted", "Vendor pulled out")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ABORTED
    assert Hold.objects.get(plan=plan).ended_at is not None


def test_hold_is_not_a_plain_transition(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    html = go(client, plan, "hold").content.decode()
    assert "Use a hold to stop the countdown" in html


def test_countdown_clock_ticks_and_freezes_on_hold(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    url = reverse("plans:detail", args=[plan.slug])
    with time_machine.travel(T0 - timedelta(hours=1, minutes=30), tick=False):
        html = client.get(url).content.decode()
        assert "T-01:30:00" in html and "data-hold-since" not in html
        client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "Smoke test failing"})
    with time_machine.travel(T0 - timedelta(minutes=50), tick=False):
        html = client.get(url).content.decode()
    hold_ms = int((T0 - timedelta(hours=1, minutes=30)).timestamp() * 1000)
    assert "T-01:30:00" in html and f'data-hold-since="{hold_ms}"' in html
    assert "HOLD since" in html and "Smoke test failing" in html
