"""A message that needs approval and goes to a named-only channel is not handed to anyone to post by hand
before it is approved (the walkthrough found "Post by hand on Social media: Launch announcement" emailed at
T-0 while the same message waited for approval on the status page); once approved, the next tick hands it out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from pytest_django.fixtures import Settings

from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, Message
from communications.services import message_approve
from plans.models import PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def test_a_by_hand_send_waits_for_approval(coordinator: User) -> None:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    comms = factories.RoleFactory(plan=plan, name="Communications Lead", slug="comms", backup=None)
    social = Channel.objects.create(plan=plan, name="Social media", kind=ChannelKind.OTHER)
    page = Channel.objects.create(plan=plan, name="Status page", kind=ChannelKind.STATUS_PAGE)
    message = Message.objects.create(
        plan=plan, name="Launch announcement", offset=timedelta(0), audience=Audience.PUBLIC,
        body="We are live!", requires_approval=True,
    )  # fmt: skip
    message.channels.set([social, page])

    for at in (T0 + M, T0 + 2 * M):
        with time_machine.travel(at, tick=False):
            outbox.tick(now=at)
    assert not [m for m in mail.outbox if "Post by hand" in m.subject]
    assert not Delivery.objects.filter(source_kind="message.by_hand").exists()
    assert Delivery.objects.filter(source_kind="message", status="awaiting_approval").count() == 1  # the page

    with time_machine.travel(T0 + 3 * M, tick=False):
        message_approve(message, by=coordinator)
        outbox.tick(now=T0 + 3 * M)
    to_post = [m for m in mail.outbox if "Post by hand on Social media: Launch announcement" in m.subject]
    assert comms.primary is not None and [m.to for m in to_post] == [[comms.primary.email]]
    assert "We are live!" in to_post[0].body
