"""Subscribing to some components only (as on Atlassian Statuspage): the form lists the page's components;
a subscriber who ticked some hears of the incidents and component changes about those, and of every post
and incident that names no component; one who ticked none hears of everything. The choice is made with a
request and confirmed by its link; nobody who only knows the address changes a confirmed one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from communications import outbox
from communications.services import status_post
from statuspage import services
from statuspage.models import Subscriber, SubscriberState
from statuspage.states import ComponentStatus

from .conftest import Site
from .test_subscribers import _confirm_link, _confirmed, _inline  # noqa: F401 (_inline: the autouse settings)

pytestmark = pytest.mark.django_db


def _ask(client: Client, site: Site, email: str, *codes: str, status: int = 200) -> str:
    response = client.post(
        reverse("statuspage:subscribe", args=[site.plan.slug]), {"email": email, "component": list(codes)}
    )
    assert response.status_code == status, response.content
    return response.content.decode()


def _to(address: str) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [address]]


def test_the_form_lists_the_components_and_the_choice_is_confirmed(client: Client, site: Site) -> None:
    page = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    for c in (site.web, site.api, site.payments):
        assert f'name="component" value="{c.code}"> {c.name}</label>' in page
    assert "Check your inbox" in _ask(client, site, "ada@example.com", site.api.code)
    sub = Subscriber.objects.get(plan=site.plan)
    assert sub.state == SubscriberState.PENDING and [c.name for c in sub.components.all()] == ["API"]
    outbox.tick()
    (message,) = mail.outbox
    assert f"updates about API on {site.plan.name}'s status page" in message.body
    asked = client.get(_confirm_link(message)).content.decode()  # the page before pressing Confirm
    assert f"Press Confirm to start receiving updates about API on {site.plan.name}" in asked
    done = client.post(_confirm_link(message)).content.decode()
    assert "You are subscribed." in done and f"each update about API on {site.plan.name}" in done


def test_a_subscriber_of_one_component_hears_only_of_it_and_of_the_whole_page(client: Client, site: Site) -> None:
    _ask(client, site, "api@example.com", site.api.code)
    outbox.tick()
    client.post(_confirm_link(mail.outbox[-1]))
    _confirmed(client, site, "all@example.com")
    mail.outbox.clear()

    by = site.comms
    services.incident_create(
        site.plan, by=by, name="Checkout down", body="Looking.", component_states={site.payments.pk: "major_outage"}
    )
    services.incident_create(
        site.plan, by=by, name="API slow", body="Looking.", component_states={site.api.pk: "degraded_performance"}
    )
    services.incident_create(site.plan, by=by, name="Everything slow", body="Looking.")
    services.component_set_status(site.web, by=by, status=ComponentStatus.PARTIAL)
    status_post(site.plan, by=site.coordinator, title="We are live")
    outbox.tick()

    everything = _to("all@example.com")
    assert len(everything) == 5 and any("Checkout down" in s for s in everything)
    only_api = _to("api@example.com")
    assert len(only_api) == 3, only_api
    assert any("API slow" in s for s in only_api) and any("Everything slow" in s for s in only_api)
    assert any("We are live" in s for s in only_api)
    assert not [s for s in only_api if "Checkout down" in s or "Web app" in s]


def test_an_unknown_component_is_refused_with_words_and_nothing_is_made(client: Client, site: Site) -> None:
    html = _ask(client, site, "ada@example.com", "nosuchcode", status=400)
    assert "Choose among the components this page lists." in html
    assert not Subscriber.objects.exists()


def test_a_confirmed_choice_is_not_changed_by_someone_knowing_the_address(client: Client, site: Site) -> None:
    _ask(client, site, "ada@example.com", site.api.code)
    outbox.tick()
    client.post(_confirm_link(mail.outbox[-1]))
    _ask(client, site, "ada@example.com", site.payments.code)  # the same answer as for anyone
    sub = Subscriber.objects.get(plan=site.plan)
    assert sub.state == SubscriberState.CONFIRMED and [c.name for c in sub.components.all()] == ["API"]


def test_the_managers_list_says_what_each_subscriber_chose(client: Client, site: Site) -> None:
    _ask(client, site, "ada@example.com", site.api.code, site.web.code)
    _ask(client, site, "bob@example.com")
    client.force_login(site.comms)
    html = client.get(reverse("statuspage:subscribers", args=[site.plan.slug])).content.decode()
    assert "<td>Web app, API</td>" in html and '<span class="muted">everything</span>' in html


@pytest.mark.parametrize("code", ["\x00", "x" * 5000, "<script>", " "])
def test_odd_component_values_are_refused_or_ignored_never_a_500(client: Client, site: Site, code: str) -> None:
    response = client.post(
        reverse("statuspage:subscribe", args=[site.plan.slug]), {"email": "ada@example.com", "component": [code]}
    )
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert "Choose among the components this page lists." in response.content.decode()
