"""The outbox sends an ended launch (closed, aborted, rolled back) nothing more: the tick makes no new rows
for it, and a row made while it ran (a retry waiting its turn, a send due the minute it ended) is skipped
with the reason when it is claimed, not sent. A send the coordinator asks for by hand still goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from plans.models import Plan, PlanStatus
from tests import factories
from tests.beats import tick_at

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _plan_with_a_due_reminder(coordinator: User) -> Plan:
    with time_machine.travel(T0 - timedelta(days=10), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC")
    factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)
    return plan


@pytest.mark.parametrize("ended", [PlanStatus.CLOSED, PlanStatus.ABORTED, PlanStatus.ROLLED_BACK])
def test_an_ended_launch_is_sent_nothing_more(coordinator: User, ended: str) -> None:
    plan = _plan_with_a_due_reminder(coordinator)
    now = T0 - 25 * M
    with time_machine.travel(now, tick=False):
        assert outbox.materialise(now=now) == 1  # made while the launch ran
    Plan.objects.filter(pk=plan.pk).update(status=ended)  # and then it ended
    tick_at(now + M)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SKIPPED and mail.outbox == []
    assert row.note == f"Not sent: the launch is {PlanStatus(ended).label.lower()}, nothing more is sent."
    tick_at(T0 + 5 * M)  # the overdue reminder falls due: nothing is made for an ended launch
    assert Delivery.objects.count() == 1 and mail.outbox == []


def test_a_send_by_hand_still_goes_after_the_end(coordinator: User) -> None:
    plan = _plan_with_a_due_reminder(coordinator)
    now = T0 - 25 * M
    with time_machine.travel(now, tick=False):
        outbox.materialise(now=now)
    Delivery.objects.update(manual=True)  # the coordinator's "send now"
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ABORTED)
    tick_at(now + M)
    assert Delivery.objects.get().status == DeliveryStatus.SENT and len(mail.outbox) == 1
