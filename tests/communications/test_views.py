from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from communications.ical import feed_create
from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message, StatusPost
from communications.selectors import encode_key
from communications.sources import specs_for
from plans.models import PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOW = T0 - timedelta(hours=3)


class CommsSetup(TypedDict):
    role: Role
    item: Item
    msg: Message


@pytest.fixture
def setup(plan: Plan, coordinator: User) -> CommsSetup:
    role = factories.RoleFactory(plan=plan, name="DBA", backup=factories.UserFactory(last_name="Zanzibar"))
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role, due_offset=-timedelta(hours=2))
    factories.StepFactory(plan=plan, lead_role=role, offset=-timedelta(hours=1), name="Cut over DNS")
    staff = Channel.objects.create(plan=plan, name="Staff", kind=ChannelKind.EMAIL, target="staff@example.com")
    page = Channel.objects.create(plan=plan, name="Status page", kind=ChannelKind.STATUS_PAGE)
    msg = Message.objects.create(plan=plan, name="Launching soon", offset=-timedelta(hours=1), audience=Audience.USERS)
    msg.channels.set([staff, page])
    internal = Message.objects.create(plan=plan, name="Internal note", offset=-timedelta(hours=1), body="secret stuff")
    internal.channels.set([page])
    StatusPost.objects.create(plan=plan, title="Maintenance window confirmed", body="All set.", published_at=NOW)
    return {"role": role, "item": item, "msg": msg}


def test_public_status_page_needs_no_login_and_shows_no_names(
    client: Client, plan: Plan, setup: CommsSetup, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    # the plan, then statuspage.selectors.public_state's five (components, their changes, incidents with
    # their updates and components, the status posts): the first request; the next ones come from the cache
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(6):
        response = client.get(reverse("statuspage:page", args=[plan.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert plan.name in html and "Scheduled maintenance" in html and "Maintenance window confirmed" in html
    assert "Tue 1 Dec 2026, 12:00 GMT" in html
    assert "Zanzibar" not in html and "DBA" not in html and "Sign out" not in html


def test_status_page_of_a_draft_plan_is_404(client: Client, plan: Plan) -> None:
    plan.status = PlanStatus.DRAFT
    plan.save()
    assert client.get(reverse("statuspage:page", args=[plan.slug])).status_code == 404


def test_internal_messages_never_reach_the_status_page(
    client: Client, plan: Plan, setup: CommsSetup, coordinator: User
) -> None:
    from communications import outbox

    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        outbox.tick()
    internal = Delivery.objects.get(source_id=Message.objects.get(name="Internal note").pk)
    assert internal.status == DeliveryStatus.SKIPPED and "internal" in internal.note
    html = client.get(reverse("statuspage:page", args=[plan.slug])).content.decode()
    assert "secret stuff" not in html and "Launching soon" in html


def test_communications_page_requires_login(client: Client, plan: Plan) -> None:
    url = reverse("communications:page", args=[plan.slug])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_communications_page_lists_scheduled_and_plan(
    client: Client,
    plan: Plan,
    setup: CommsSetup,
    coordinator: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(coordinator)
    # 20, + the recurring items and the on-call shifts the reminder sources read (issue 16): one query each,
    # + the plan's notification routes (issue 12: communications/routes/, one query; none more without routes)
    # (24: the outbox's last tick, communications.health; 25: the routes' deactivated people, "Needs attention";
    # 26: what needs attention read apart from the history, whatever its age; 27: the gates whose decision comes
    # due, communications/sources/gates.py: one query, the polled roles only when one does)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(27):
        response = client.get(reverse("communications:page", args=[plan.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reminder: Cut over DNS" not in html  # steps are labelled "step …"
    assert "Reminder: step Cut over DNS starts T-1h" in html
    assert "Launching soon" in html and "Send now" in html and "Approve" not in html
    assert 'id="calendars"' in html and "New feed link" in html


def test_send_now_and_skip_are_for_the_coordinator_only(client: Client, plan: Plan, setup: CommsSetup) -> None:
    stranger = factories.UserFactory()
    client.force_login(stranger)
    with time_machine.travel(NOW, tick=False):
        spec = specs_for(plan, NOW, NOW + timedelta(hours=2))[0]
        for name in ("communications:send_now", "communications:skip"):
            response = client.post(reverse(name, args=[plan.slug]), {"key": encode_key(spec.key)})
            assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_coordinator_sends_a_scheduled_delivery_now_and_it_is_not_sent_again(
    client: Client,
    plan: Plan,
    setup: CommsSetup,
    coordinator: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from communications import outbox

    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        spec = next(s for s in specs_for(plan, NOW, T0) if s.source_kind == "message" and s.channel_kind == "email")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("communications:send_now", args=[plan.slug]), {"key": encode_key(spec.key)})
    assert response.status_code == 302
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SENT and row.manual
    assert len(mail.outbox) == 1
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):  # its due moment: the beat makes no second one
        outbox.tick()
    assert Delivery.objects.filter(source_kind="message", channel_kind="email").count() == 1
    assert len([m for m in mail.outbox if "Launching soon" in m.subject]) == 1


def test_coordinator_skips_a_scheduled_delivery(
    client: Client, plan: Plan, setup: CommsSetup, coordinator: User
) -> None:
    from communications import outbox

    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        spec = next(s for s in specs_for(plan, NOW, T0) if s.source_kind == "item.due")
        client.post(reverse("communications:skip", args=[plan.slug]), {"key": encode_key(spec.key)})
    with time_machine.travel(spec.due_at, tick=False):
        outbox.tick()
    row = Delivery.objects.get(source_kind="item.due", recipient=spec.recipient)
    assert row.status == DeliveryStatus.SKIPPED and row.note.startswith("Skipped by coord")
    assert not any(spec.address in m.to for m in mail.outbox)


def test_forged_key_is_refused(client: Client, plan: Plan, setup: CommsSetup, coordinator: User) -> None:
    client.force_login(coordinator)
    key = f"message|{setup['msg'].pk}|channel:999|email|{T0.isoformat()}"
    response = client.post(reverse("communications:send_now", args=[plan.slug]), {"key": key}, follow=True)
    assert "no longer scheduled" in response.content.decode()
    assert not Delivery.objects.exists()


def test_preview_shows_what_will_be_sent(client: Client, plan: Plan, setup: CommsSetup, coordinator: User) -> None:
    client.force_login(coordinator)
    msg = setup["msg"]
    msg.body = "Launch at {{ t0|date('H:i') }} ({{ plan.name }})"
    msg.save()
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("communications:preview", args=[plan.slug, msg.pk])).content.decode()
    assert f"Launch at 12:00 ({plan.name})" in html and "staff@example.com" in html


def test_ical_feed_with_valid_and_forged_token(client: Client, plan: Plan, setup: CommsSetup) -> None:
    role, item = setup["role"], setup["item"]
    assert plan.coordinator is not None
    _, token = feed_create(role, by=plan.coordinator)
    url = reverse("communications:ical", args=[plan.slug, token])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:item-{item.pk}@testserver" in body and "SUMMARY:Step: Cut over DNS" in body
    assert "DTSTART:20261201T100000Z" in body

    assert client.get(reverse("communications:ical", args=[plan.slug, token[:-2] + "xx"])).status_code == 404
    other = factories.PlanFactory()
    assert client.get(reverse("communications:ical", args=[other.slug, token])).status_code == 404


def test_ical_feed_follows_a_rebaseline_with_stable_uids(
    client: Client, plan: Plan, setup: CommsSetup, coordinator: User
) -> None:
    from plans.services import plan_rebaseline

    item = setup["item"]
    url = reverse("communications:ical", args=[plan.slug, feed_create(setup["role"], by=coordinator)[1]])
    plan_rebaseline(plan, new_t0=T0 + timedelta(days=1), by=coordinator)
    body = client.get(url).content.decode()
    assert f"UID:item-{item.pk}@testserver" in body and "DTSTART:20261202T100000Z" in body


def test_a_failure_stays_in_needs_attention_however_much_was_sent_after_it(
    client: Client, plan: Plan, coordinator: User
) -> None:
    """The page reads the newest few hundred deliveries for its history; what needs attention (failed, late,
    outcome unknown) is read whatever its age, and the counts are the plan's: a failure at T-1d on a launch that
    sent 400 reminders since was gone from "Needs attention" and from the "failed" count."""
    from communications.selectors import HISTORY_LIMIT

    channel = factories.ChannelFactory(plan=plan, name="Staff email", target="staff@example.com")
    failed = factories.DeliveryFactory(
        plan=plan, channel=channel, status=DeliveryStatus.FAILED, due_at=NOW - timedelta(days=1),
        label="Maintenance notice", error="550 mailbox unavailable",
    )  # fmt: skip
    Delivery.objects.bulk_create(
        Delivery(
            plan=plan, channel=channel, source_kind="message", source_id=1000 + n, recipient=f"channel:{channel.pk}",
            channel_kind=ChannelKind.EMAIL, address=channel.target, recipient_label=channel.name, label=f"Sent {n}",
            subject="Update", status=DeliveryStatus.SENT, due_at=NOW - timedelta(minutes=n + 1), sent_at=NOW,
            next_attempt_at=NOW,
        )
        for n in range(HISTORY_LIMIT + 100)
    )  # fmt: skip
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert "1 failed</span>" in html and f"{HISTORY_LIMIT + 100} sent</span>" in html
    attention = html.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert "Maintenance notice" in attention and "550 mailbox unavailable" in attention
    assert f"the newest {HISTORY_LIMIT} of {HISTORY_LIMIT + 100}" in html
    assert failed.pk
