"""The webhook channel against a local HTTP server: idempotency key, retries with backoff, then failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from plans.models import Event
from tests import factories
from tests.beats import tick_at
from tests.communications.sink import Sink

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import Settings


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def setup_message(coordinator: User, url: str) -> Message:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator)
    hook = Channel.objects.create(plan=plan, name="#launch", kind=ChannelKind.WEBHOOK, target=url)
    message = Message.objects.create(
        plan=plan,
        name="Go live",
        offset=timedelta(0),
        audience=Audience.STAFF,
        body="We are live at {{ t0|date('H:i') }}.",
    )
    message.channels.set([hook])
    return message


def test_webhook_posts_slack_json_with_the_delivery_uuid_as_idempotency_key(
    coordinator: User, settings: Settings
) -> None:
    with Sink() as sink:
        setup_message(coordinator, f"{sink.url}/ok")
        tick_at(T0)
        tick_at(T0 + M)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SENT and row.attempts == 1
    assert sink.keys() == {str(row.idempotency_key): 1}
    assert sink.calls[0]["json"] == {"text": f"*{row.subject}*\nWe are live at 12:00."}


@pytest.mark.parametrize(("path", "wait"), [("/busy/120", 120), ("/busy/date", 300), ("/busy/86400", 3600)])
def test_a_429_waits_for_its_retry_after(coordinator: User, settings: Settings, path: str, wait: int) -> None:
    """A receiver that says when to come back (seconds or an HTTP date, honoured up to an hour) is not
    hammered on the 30 s backoff of a 500."""
    with Sink() as sink:
        setup_message(coordinator, f"{sink.url}{path}")
        tick_at(T0)
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.PENDING and row.attempts == 1
        assert row.next_attempt_at == T0 + timedelta(seconds=wait)
        assert row.error == "webhook answered HTTP 429 Too Many Requests"
        tick_at(T0 + timedelta(seconds=wait - 1))
        assert len(sink.calls) == 1
        tick_at(T0 + timedelta(seconds=wait))
        assert len(sink.calls) == 2


@pytest.mark.parametrize(("header", "seconds"), [("120", 120.0), ("  7 ", 7.0), ("-5", None), ("soon", None)])
def test_retry_after_is_seconds_or_an_http_date(header: str, seconds: float | None) -> None:
    from communications.retryafter import retry_after_seconds

    assert retry_after_seconds(header) == seconds
    assert retry_after_seconds("Tue, 01 Dec 2026 12:02:00 GMT", now=T0) == 120.0
    assert retry_after_seconds("Tue, 01 Dec 2026 11:00:00 GMT", now=T0) == 0.0


def test_failing_webhook_is_retried_with_backoff_then_shown_failed(
    coordinator: User, client: Client, settings: Settings
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 4
    with Sink() as sink:
        message = setup_message(coordinator, f"{sink.url}/fail")
        tick_at(T0)
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.PENDING and row.attempts == 1
        assert row.next_attempt_at == T0 + timedelta(seconds=30)
        tick_at(T0 + timedelta(seconds=15))  # backing off: no new try yet
        assert len(sink.calls) == 1
        t = T0
        for wait in (30, 60, 120):  # 30 s, 1 min, 2 min
            t += timedelta(seconds=wait)
            tick_at(t)
        row.refresh_from_db()
        assert len(sink.calls) == 4 and set(sink.keys("/fail")) == {str(row.idempotency_key)}
        tick_at(t + timedelta(minutes=10))
    assert len(sink.calls) == 4  # bounded
    assert row.status == DeliveryStatus.FAILED and row.attempts == 4
    assert row.error == "webhook answered HTTP 500 Internal Server Error"  # the status line, never the body
    assert Event.objects.filter(kind="comms.failed", plan=message.plan).count() == 1

    client.force_login(coordinator)
    with time_machine.travel(t + timedelta(minutes=11), tick=False):
        response = client.get(reverse("communications:page", args=[message.plan.slug]))
    html = response.content.decode()
    assert 'id="attention"' in html
    assert f'id="delivery-{row.pk}"' in html and "Failed" in html
    assert "webhook answered HTTP 500 Internal Server Error" in html and "boom" not in html
    assert "(4 attempts)" in html
