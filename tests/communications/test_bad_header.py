"""A message whose subject holds a line break (saved by a script, or before the admin refused one) cannot be
sent: Django refuses the header (BadHeaderError) before anything goes out. That is a permanent failure with
its reason, shown on the communications page; it was recorded as "outcome unknown … Retrying once"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from tests import factories
from tests.beats import tick_at

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WHY = "email: not sent: the subject or an address holds a line break, which an e-mail header cannot carry"


def test_a_subject_with_a_line_break_fails_at_once_with_its_reason(client: Client, coordinator: User) -> None:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator)
    staff = Channel.objects.create(plan=plan, name="Staff", kind=ChannelKind.EMAIL, target="staff@example.com")
    message = Message.objects.create(
        plan=plan,
        name="Update",
        offset=timedelta(0),
        audience=Audience.STAFF,
        subject="Hi\nBcc: all@example.com",
        body="Hi.",
    )
    message.channels.set([staff])
    tick_at(T0)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1 and not row.retry_same_key
    assert row.error.startswith(WHY) and "unknown" not in row.note.lower()
    assert mail.outbox == []
    client.force_login(coordinator)
    page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert WHY in page
