"""A built-in seed plan (launch.format) across its whole communication plan, ticking every 15 minutes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from communications.models import Delivery, DeliveryStatus, Message, StatusPost
from communications.sources import occurrences
from launch.format import template_text
from launch.services.importer import import_plan_text
from tests.beats import run_due

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def test_heypeter_communication_plan_goes_out_once_each(coordinator: User) -> None:
    with time_machine.travel(T0 - timedelta(days=9), tick=False):
        plan = import_plan_text(
            template_text("heypeter-academy-lms"), t0=T0, coordinator=coordinator, slug="heypeter", by=coordinator
        )
    plan.status = "countdown"
    plan.save(update_fields=["status"])
    # The beat around each send of the communication plan (tests/beats.py): just before, at, just after and
    # late in the lookback of each.
    run_due(plan, T0 - timedelta(days=8), T0 + timedelta(hours=3), kinds={"message"})
    rows = Delivery.objects.filter(plan=plan, source_kind="message")
    per_message = Counter(rows.values_list("source_id", flat=True))
    for message in Message.objects.filter(plan=plan):
        due = [at for _, at in occurrences(plan, message) if at <= T0 + timedelta(hours=3)]
        assert per_message[message.pk] == len(due) * message.channels.count(), message.name
    assert not rows.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]).exists()
    hourly = Message.objects.get(plan=plan, name="Progress updates (hourly)")
    posts = StatusPost.objects.filter(plan=plan, delivery__source_id=hourly.pk)
    assert posts.count() == 7  # T-6h … T+0, one an hour, each once
    latest = posts.first()
    assert latest is not None  # customer copy, not the internal report (issue 11, finding 3)
    assert "Launch state" not in latest.body and "Progress updates (hourly)" not in latest.body
    assert "(7/7)" not in latest.title and "What you will notice" in latest.body
