"""A message that fails for good is emailed to the coordinator and to the holders of the communications role
(communications.sources.failures): a webhook that answers 500 on every attempt is not found only by whoever
next opens the communications page. Once per failure and person, with the error and the page's address;
skipped if the failed delivery went out after all; never a notice about a failed notice; skipped, saying
why, for someone without an email address."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from communications.services import delivery_send_now
from plans.models import Event
from plans.services import event_record
from tests.beats import tick_at
from tests.communications.sink import Sink
from tests.communications.test_webhook import T0, M, setup_message

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

NOTICE = "comms.failure"


def _fail_once(coordinator: User, settings: Settings) -> Delivery:
    """The plan's one webhook message, failed after its one attempt (the sink answers 500)."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with Sink() as sink:
        setup_message(coordinator, f"{sink.url}/fail")
        tick_at(T0)
    failed = Delivery.objects.get(source_kind="message")
    assert failed.status == DeliveryStatus.FAILED
    return failed


def test_the_coordinator_is_emailed_once_per_failure(coordinator: User, settings: Settings) -> None:
    failed = _fail_once(coordinator, settings)
    mail.outbox.clear()
    tick_at(T0 + M)
    tick_at(T0 + 2 * M)
    notice = Delivery.objects.get(source_kind=NOTICE)
    assert notice.status == DeliveryStatus.SENT and notice.recipient == f"user:{coordinator.pk}"
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    sent = mail.outbox[0]
    assert sent.subject.startswith(f"[{failed.plan.name}] Not delivered: Delivery failed after 1 attempts: ")
    assert "webhook answered HTTP 500 Internal Server Error" in sent.body
    assert sent.body.rstrip().endswith(f"/plans/{failed.plan.slug}/communications/#delivery-{failed.pk}")


def test_no_notice_once_it_went_out_after_all(
    coordinator: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    failed = _fail_once(coordinator, settings)
    with time_machine.travel(T0 + M, tick=False):
        outbox.materialise(now=T0 + M)  # the notice is made, not sent yet
    notice = Delivery.objects.get(source_kind=NOTICE)
    assert notice.status == DeliveryStatus.PENDING
    with Sink() as sink, time_machine.travel(T0 + M + timedelta(seconds=10), tick=False):
        Delivery.objects.filter(pk=failed.pk).update(address=f"{sink.url}/ok")  # (test set-up: the hook fixed)
        with django_capture_on_commit_callbacks(execute=True):  # its send goes after the commit
            delivery_send_now(failed.plan, by=coordinator, delivery_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    mail.outbox.clear()
    tick_at(T0 + 2 * M)
    notice.refresh_from_db()
    assert notice.status == DeliveryStatus.SKIPPED and "went out after all" in notice.note
    assert mail.outbox == []


def test_a_failed_notice_is_not_notified(coordinator: User, settings: Settings) -> None:
    _fail_once(coordinator, settings)
    tick_at(T0 + M)
    notice = Delivery.objects.get(source_kind=NOTICE)
    Delivery.objects.filter(pk=notice.pk).update(status=DeliveryStatus.FAILED)  # (test set-up: a bounce)
    with time_machine.travel(T0 + M + timedelta(seconds=10), tick=False), transaction.atomic():
        event_record(notice.plan, kind="comms.failed", summary="The notice failed", data={"delivery": notice.pk})
    tick_at(T0 + 2 * M)
    tick_at(T0 + 3 * M)
    assert Delivery.objects.filter(source_kind=NOTICE).count() == 1


def test_a_coordinator_without_an_email_address_is_shown_skipped(coordinator: User, settings: Settings) -> None:
    User.objects.filter(pk=coordinator.pk).update(email="")  # (test set-up)
    coordinator.refresh_from_db()
    _fail_once(coordinator, settings)
    tick_at(T0 + M)
    notice = Delivery.objects.get(source_kind=NOTICE)
    assert notice.status == DeliveryStatus.SKIPPED and "has no email address" in notice.note


def test_failures_of_one_tick_go_in_one_email(coordinator: User, settings: Settings) -> None:
    failed = _fail_once(coordinator, settings)
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False), transaction.atomic():
        # a second failure in the same minute (a broken template, say)
        event_record(failed.plan, kind="comms.failed", summary="Could not compose Launch note", data={"error": "x"})
    mail.outbox.clear()
    tick_at(T0 + M)
    notices = Delivery.objects.filter(source_kind=NOTICE)
    assert sorted(notices.values_list("status", flat=True)) == [DeliveryStatus.SENT, DeliveryStatus.SKIPPED]
    assert len(mail.outbox) == 1 and "2 things need you" in mail.outbox[0].subject
    assert Event.objects.filter(plan=failed.plan, kind="comms.failed").count() == 2
    assert timedelta(0) <= notices.get(status=DeliveryStatus.SENT).due_at - T0 < M


def test_a_hold_does_not_defer_the_notice(coordinator: User, settings: Settings) -> None:
    """A failure during a hold is news for the coordinator now, not a plan moment the hold moves."""
    from plans.services import hold_start

    failed = _fail_once(coordinator, settings)
    tick_at(T0 + timedelta(seconds=10))  # the first failure's notice goes
    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        hold_start(failed.plan, by=coordinator, reason="Smoke test failing")
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False), transaction.atomic():
        event_record(failed.plan, kind="comms.failed", summary="Could not compose Hold note", data={"error": "x"})
    mail.outbox.clear()
    tick_at(T0 + M)
    during = Delivery.objects.get(source_kind=NOTICE, due_at=T0 + timedelta(seconds=30))
    assert during.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[coordinator.email]] and "Hold note" in mail.outbox[0].subject


def _comms_role(plan: Any, primary: User, backup: User | None) -> Any:
    from roles.models import Role

    return Role.objects.create(plan=plan, name="Communications", slug="comms", primary=primary, backup=backup)


def test_the_communications_role_is_told_too_each_person_once(coordinator: User, settings: Settings) -> None:
    """The role that posts by hand owns the messages: its primary and backup get the notice beside the
    coordinator; each person once per failure, named as what they are."""
    from tests.factories import UserFactory

    failed = _fail_once(coordinator, settings)
    primary, backup = UserFactory(username="comms1"), UserFactory(username="comms2")
    _comms_role(failed.plan, primary, backup)
    mail.outbox.clear()
    tick_at(T0 + M)
    tick_at(T0 + 2 * M)
    notices = Delivery.objects.filter(source_kind=NOTICE).order_by("recipient_label")
    assert sorted(n.recipient for n in notices) == sorted(f"user:{u.pk}" for u in (coordinator, primary, backup))
    assert {n.status for n in notices} == {DeliveryStatus.SENT}
    labels = [n.recipient_label for n in notices]
    assert any(label.endswith("(coordinator)") for label in labels)
    assert any(label.endswith("(Communications, primary)") for label in labels)
    assert any(label.endswith("(Communications, backup)") for label in labels)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (coordinator, primary, backup))
    assert all(f"#delivery-{failed.pk}" in m.body for m in mail.outbox)


def test_a_coordinator_who_holds_the_communications_role_gets_one_email(coordinator: User, settings: Settings) -> None:
    failed = _fail_once(coordinator, settings)
    _comms_role(failed.plan, coordinator, coordinator)
    mail.outbox.clear()
    tick_at(T0 + M)
    assert Delivery.objects.filter(source_kind=NOTICE).count() == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
