"""Issue 11, finding 4: what cannot go anywhere shows under "Needs attention" before it is due; a send to a
named-only channel is a task for the communications role (its role page, and an email when it is time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, Message
from plans.models import Plan, PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _plan(coordinator: User) -> Plan:
    with time_machine.travel(T0 - 10 * D, tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.SCHEDULED)
    users = Channel.objects.create(plan=plan, name="User email", kind=ChannelKind.EMAIL, target="")
    social = Channel.objects.create(plan=plan, name="Social media", kind=ChannelKind.OTHER)
    m = Message.objects.create(
        plan=plan, name="Upcoming launch email", offset=-2 * D, audience=Audience.USERS, body="We launch soon."
    )
    m.channels.set([users])
    s = Message.objects.create(
        plan=plan, name="Social media announcement", offset=-2 * D, audience=Audience.PUBLIC, body="Coming soon!"
    )
    s.channels.set([social])
    return plan


def test_undeliverable_and_by_hand_sends_show_before_they_are_due(coordinator: User, client: Client) -> None:
    plan = _plan(coordinator)
    comms = factories.RoleFactory(plan=plan, name="Communications Lead", slug="comms", backup=factories.UserFactory())
    client.force_login(coordinator)
    with time_machine.travel(T0 - 5 * D, tick=False):
        html = client.get(f"/plans/{plan.slug}/communications/").content.decode()
    attention = html.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert "Upcoming launch email" in attention and "User email has no target" in attention
    by_hand = html.split('id="by-hand"', 1)[1].split("</section>", 1)[0]
    assert "Social media announcement" in by_hand and "a task for Communications Lead" in by_hand
    with time_machine.travel(T0 - 5 * D, tick=False):
        role_html = client.get(f"/plans/{plan.slug}/roles/comms/").content.decode()
    assert 'id="tasks"' in role_html and "Post by hand on Social media: Social media announcement" in role_html

    # When it is time, the communications role's holders get the text to post.
    with time_machine.travel(T0 - 2 * D, tick=False):
        outbox.tick(now=T0 - 2 * D)
    to_post = [m for m in mail.outbox if "Post by hand on Social media" in m.subject]
    assert comms.primary is not None and comms.backup is not None
    assert sorted(m.to[0] for m in to_post) == sorted([comms.primary.email, comms.backup.email])
    assert "Coming soon!" in to_post[0].body
    assert Delivery.objects.filter(source_kind="message.by_hand").count() == 2


def test_a_channel_that_cannot_send_links_to_where_it_is_fixed(coordinator: User, client: Client) -> None:
    """The coordinator who may open the admin gets a link to the channel's page there; a coordinator who may not,
    and a role holder, get the reason alone (a link would end on the admin's sign-in page)."""
    plan = _plan(coordinator)
    channel = Channel.objects.get(plan=plan, name="User email")
    edit = f'href="/admin/communications/channel/{channel.pk}/change/">edit the channel</a>'
    holder = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="SRE", primary=holder)

    def attention(user: User) -> str:
        client.force_login(user)
        with time_machine.travel(T0 - 5 * D, tick=False):
            html = client.get(f"/plans/{plan.slug}/communications/").content.decode()
        return html.split('id="cannot-send"', 1)[1].split("</table>", 1)[0]

    assert "User email has no target" in attention(coordinator) and edit not in attention(coordinator)
    assert edit not in attention(holder)
    User.objects.filter(pk=coordinator.pk).update(is_staff=True, is_superuser=True)
    assert edit in attention(coordinator)
    client.force_login(coordinator)
    assert client.get(f"/admin/communications/channel/{channel.pk}/change/").status_code == 200
