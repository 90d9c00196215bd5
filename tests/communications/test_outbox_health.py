"""The pages say when nothing is going out: a killed worker, beat not started, a worker that does not read the
outbox queue, or a sending worker that is down. A tester killed the worker and pressed "Send now": the row sat
at "Sending" with the note "Sent now by coordinator." for minutes, and no page said anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from communications import outbox
from communications.health import outbox_warning
from communications.models import DeliveryStatus, OutboxBeat
from plans.models import Plan, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def test_a_tick_records_its_beat_and_all_is_well_after_it(plan: Plan) -> None:
    with time_machine.travel(NOW, tick=False):
        headline, what = outbox_warning(plan) or ("", "")
        assert headline == "Nothing is being sent: the outbox has never run." and "make run starts one" in what
        outbox.tick(dispatch=lambda ids, token: None)
        assert OutboxBeat.objects.get().at == NOW
        assert outbox_warning(plan) is None


def test_ticks_that_stop_are_said_with_when_the_last_one_ran(plan: Plan) -> None:
    OutboxBeat.objects.create(name="tick", at=NOW)
    with time_machine.travel(NOW + timedelta(seconds=80), tick=False):
        assert outbox_warning(plan) is None  # a few missed ticks: not yet
    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        headline, what = outbox_warning(plan) or ("", "")
    assert headline == "Nothing is being sent: the outbox last ran at 11:00 GMT (12 min ago)."
    assert "Celery worker and beat" in what


def test_sends_left_waiting_are_said_when_the_ticks_go_on(plan: Plan) -> None:
    factories.DeliveryFactory(plan=plan, due_at=NOW, status=DeliveryStatus.SENDING)
    factories.DeliveryFactory(plan=plan, due_at=NOW, status=DeliveryStatus.SENT)
    factories.DeliveryFactory(plan=plan, due_at=NOW + timedelta(minutes=9), status=DeliveryStatus.PENDING)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        OutboxBeat.objects.create(name="tick", at=NOW + timedelta(minutes=10))
        assert outbox_warning(plan) == (
            "1 send due more than 3 minutes ago still waits.",
            "The worker that sends (the default queue) may be down.",
        )


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.CLOSED, PlanStatus.ABORTED])
def test_a_plan_that_is_not_live_says_nothing(plan: Plan, status: str) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=status)
    plan.refresh_from_db()
    assert outbox_warning(plan) is None


def test_the_communications_page_says_it(client: Client, plan: Plan, coordinator: User) -> None:
    OutboxBeat.objects.create(name="tick", at=NOW)
    client.force_login(coordinator)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert 'id="outbox-warning"' in page and "the outbox last ran at 11:00 GMT (30 min ago)" in page
    OutboxBeat.objects.update(at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert 'id="outbox-warning"' not in page


def test_send_now_does_not_say_sent_before_it_is(plan: Plan, coordinator: User) -> None:
    from communications.services import delivery_send_now

    row = factories.DeliveryFactory(plan=plan, due_at=NOW, status=DeliveryStatus.FAILED)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        delivery_send_now(plan, by=coordinator, delivery_id=row.pk)
    row.refresh_from_db()
    assert row.note == "Send now asked by coord." and row.status == DeliveryStatus.PENDING
