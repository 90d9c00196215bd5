"""Email and webhook subscribers: double opt-in, one-click unsubscribe (RFC 8058), no account
enumeration, rate limits, and each update delivered once per subscriber through the outbox."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from statuspage import services, tokens
from statuspage.models import Subscriber, SubscriberState
from statuspage.services import subscribers

from .conftest import Site

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://testserver\S+/subscribe/confirm/\S+/")


@pytest.fixture(autouse=True)
def _inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://testserver"


def _subscribe(client: Client, site: Site, email: str, **extra: str) -> str:
    response = client.post(reverse("statuspage:subscribe", args=[site.plan.slug]), {"email": email, **extra})
    assert response.status_code == 200, response.content
    return response.content.decode()


def _confirm_link(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(0).removeprefix("https://testserver")


def _confirmed(client: Client, site: Site, email: str) -> Subscriber:
    _subscribe(client, site, email)
    outbox.tick()
    message = next(m for m in mail.outbox if m.to == [email])
    assert client.post(_confirm_link(message)).status_code == 200
    return Subscriber.objects.get(plan=site.plan, address_key=email)


def test_double_opt_in_active_only_after_the_link_is_followed(client: Client, site: Site) -> None:
    html = _subscribe(client, site, "ada@example.com")
    assert "Check your inbox" in html
    sub = Subscriber.objects.get(plan=site.plan)
    assert sub.state == SubscriberState.PENDING and not mail.outbox  # nothing sent directly: the outbox sends
    outbox.tick()
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"] and "Confirm your subscription" in message.subject
    assert "List-Unsubscribe" not in message.extra_headers
    link = _confirm_link(message)
    services.incident_create(site.plan, by=site.comms, name="Slow API", body="Looking.")
    outbox.tick()
    assert len(mail.outbox) == 1  # pending: no update yet
    page = client.get(link)  # a mail scanner's GET confirms nothing
    assert page.status_code == 200 and b"Confirm" in page.content
    assert Subscriber.objects.get(pk=sub.pk).state == SubscriberState.PENDING
    done = client.post(link)
    assert done.status_code == 200 and b"You are subscribed" in done.content
    assert Subscriber.objects.get(pk=sub.pk).state == SubscriberState.CONFIRMED
    assert done["Cache-Control"].startswith(("max-age=0", "no-cache")) or "no-store" in done["Cache-Control"]


def test_the_confirmation_link_expires_and_a_forged_one_is_refused(client: Client, site: Site) -> None:
    _subscribe(client, site, "ada@example.com")
    outbox.tick()
    link = _confirm_link(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        response = client.post(link)
    assert response.status_code == 404 and b"not valid any more" in response.content
    assert client.post(link[:-3] + "xx/").status_code == 404
    assert Subscriber.objects.get().state == SubscriberState.PENDING


def test_a_link_opened_again_or_on_another_page_says_so_before_any_button(client: Client, site: Site) -> None:
    """A confirmed subscription's link opened again says it is confirmed (it offered Confirm again); the link
    on another plan's status page says it is not valid there (its Confirm then said so)."""
    from plans.models import PlanStatus
    from tests import factories

    _subscribe(client, site, "ada@example.com")
    outbox.tick()
    link = _confirm_link(mail.outbox[0])
    other = factories.PlanFactory(slug="other-launch", status=PlanStatus.COUNTDOWN)
    elsewhere = client.get(link.replace(f"/{site.plan.slug}/", f"/{other.slug}/"))
    assert elsewhere.status_code == 404 and b"not valid any more" in elsewhere.content
    assert client.post(link).status_code == 200
    again = client.get(link)
    assert again.status_code == 200 and b"You are subscribed" in again.content and b"<form" not in again.content


def test_the_answer_is_the_same_whether_the_address_is_known(client: Client, site: Site) -> None:
    _confirmed(client, site, "known@example.com")
    other = Client()
    fresh = _subscribe(other, site, "new@example.com")
    again = _subscribe(other, site, "known@example.com")
    assert fresh == again
    outbox.tick()
    assert [m.to for m in mail.outbox].count(["known@example.com"]) == 1  # no second mail to a confirmed one


def test_rate_limits_per_client_and_per_address(client: Client, site: Site, settings: Settings) -> None:
    settings.STATUS_SUBSCRIBE_PER_CLIENT = 3
    settings.STATUS_SUBSCRIBE_PER_ADDRESS = 2
    settings.STATUS_CONFIRM_RESEND_SECONDS = 0
    url = reverse("statuspage:subscribe", args=[site.plan.slug])
    codes = [client.post(url, {"email": f"p{n}@example.com"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.post(url, {"email": "x@example.com"}, REMOTE_ADDR="10.0.0.9").status_code == 200  # another client
    outcomes = [subscribers.subscriber_request(site.plan, email="same@example.com") for _ in range(4)]
    assert outcomes == ["asked", "again", "limited", "limited"]


def test_a_resend_waits_and_an_unsubscribed_address_may_subscribe_again(site: Site) -> None:
    assert subscribers.subscriber_request(site.plan, email="Ada@Example.COM") == "asked"
    assert subscribers.subscriber_request(site.plan, email="ada@example.com") == "recent"
    sub = Subscriber.objects.get()
    assert sub.email == "Ada@example.com" and sub.address_key == "ada@example.com"


@pytest.mark.parametrize(
    ("email", "url", "error"),
    [
        ("not-an-address", "", "valid email"),
        ("a@example.com", "ftp://example.com/hook", "http"),
        ("a@example.com", "http://127.0.0.1:9/hook", "loopback"),
        ("a@example.com", "http://10.1.2.3/hook", "private"),
    ],
)
def test_bad_input_is_refused_with_words(client: Client, site: Site, email: str, url: str, error: str) -> None:
    response = client.post(reverse("statuspage:subscribe", args=[site.plan.slug]), {"email": email, "url": url})
    assert response.status_code == 400 and error in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_hidden_field_traps_bots(client: Client, site: Site) -> None:
    html = _subscribe(client, site, "bot@example.com", website="http://spam")
    assert "Check your inbox" in html and not Subscriber.objects.exists()


def test_each_update_reaches_each_confirmed_subscriber_once_with_rfc8058_headers(client: Client, site: Site) -> None:
    ada = _confirmed(client, site, "ada@example.com")
    _confirmed(client, site, "bob@example.com")
    _subscribe(client, site, "pending@example.com")
    mail.outbox.clear()
    incident = services.incident_create(
        site.plan,
        by=site.comms,
        name="Slow API",
        body="Requests are slow.",
        component_states={site.api.pk: "degraded_performance"},
    )
    services.incident_update_post(incident, by=site.comms, body="Fixed.", status="resolved")
    services.component_set_status(site.web, by=site.comms, status="partial_outage")
    for _ in range(3):
        outbox.tick()
    got = sorted((m.to[0], m.subject) for m in mail.outbox if "Confirm" not in m.subject)
    assert got == sorted(
        (who, subject)
        for who in ("ada@example.com", "bob@example.com")
        for subject in (
            f"[{site.plan.name} status] Slow API: Investigating",
            f"[{site.plan.name} status] Slow API: Resolved",
            f"[{site.plan.name} status] Web app: partial outage",
        )
    )  # the API's change is told by the incident's email; pending gets nothing
    staff = Client()
    staff.force_login(site.coordinator)
    comms_page = staff.get(reverse("communications:page", args=[site.plan.slug])).content.decode()
    assert "Status page: Slow API" in comms_page and "ada@example.com" not in comms_page  # the outbox's rows
    message = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    wire = message.message().as_bytes()  # the message as it goes out
    built = email.message_from_bytes(wire, policy=email.policy.default)
    header = str(built["List-Unsubscribe"]).strip()  # a long value is folded onto a continuation line
    unsubscribe = re.fullmatch(r"<(https://testserver/status/[^>]+/unsubscribe/[^>]+/)>", header)
    assert unsubscribe, built["List-Unsubscribe"]
    assert built["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.group(1) in message.body
    assert built["Message-ID"].startswith("<")
    # RFC 8058: a POST with the one-click body, no cookie, no CSRF token, unsubscribes.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        unsubscribe.group(1).removeprefix("https://testserver"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=ada.pk).state == SubscriberState.UNSUBSCRIBED
    mail.outbox.clear()
    services.incident_create(site.plan, by=site.comms, name="Another", body="Again.")
    outbox.tick()
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_unsubscribe_get_asks_and_an_unsubscribed_delivery_is_skipped(client: Client, site: Site) -> None:
    ada = _confirmed(client, site, "ada@example.com")
    link = reverse("statuspage:unsubscribe", args=[site.plan.slug, tokens.unsubscribe_token(ada.code)])
    page = client.get(link)
    assert page.status_code == 200 and b"Stop receiving updates" in page.content
    assert Subscriber.objects.get(pk=ada.pk).state == SubscriberState.CONFIRMED
    services.incident_create(site.plan, by=site.comms, name="Slow API", body="Looking.")
    from communications.outbox import materialise

    materialise()  # the row exists; then they unsubscribe before it is sent
    client.post(link)
    outbox.tick()
    row = Delivery.objects.get(source_kind="status.update")
    assert row.status == DeliveryStatus.SKIPPED and "unsubscribed" in row.note
    assert client.post(link).status_code == 200  # twice is fine
    assert client.get(reverse("statuspage:unsubscribe", args=[site.plan.slug, "forged:token"])).status_code == 404


def test_subscriber_list_for_the_comms_role_counts_for_members_nothing_public(
    client: Client, site: Site, django_assert_max_num_queries: object
) -> None:
    _confirmed(client, site, "ada@example.com")
    _subscribe(client, site, "pending@example.com")
    comms = Client()
    comms.force_login(site.comms)
    url = reverse("statuspage:subscribers", args=[site.plan.slug])
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        html = comms.get(url).content.decode()
    assert "ada@example.com" in html and "pending@example.com" in html
    assert re.search(r"Confirmed</th><td>1<", html) and re.search(r"Pending confirmation</th><td>1<", html)
    other = Client()
    other.force_login(site.other)
    html = other.get(url).content.decode()
    assert "ada@example.com" not in html and "Confirmed</th><td>1<" in html
    for name in ("page", "history", "live"):
        public = client.get(reverse(f"statuspage:{name}", args=[site.plan.slug])).content.decode()
        assert "@example.com" not in public
    sub = Subscriber.objects.get(address_key="ada@example.com")
    remove = reverse("statuspage:subscriber_remove", args=[site.plan.slug, sub.pk])
    assert other.post(remove).status_code == 403
    assert comms.post(remove).status_code == 302 and not Subscriber.objects.filter(pk=sub.pk).exists()
