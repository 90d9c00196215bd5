"""Webhook subscribers receive Statuspage's webhook documents (the shapes of its documentation: ``meta``
{unsubscribe, documentation}, ``page`` {id, status_indicator, status_description}, then ``incident`` with its
``incident_updates``, or ``component_update`` and ``component``); and the page of one incident."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from communications import outbox
from statuspage import services, tokens
from statuspage.models import Subscriber
from statuspage.services import subscribers
from tests.communications.sink import Sink

from .conftest import Site

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import Settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://status.example.com"
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the sink listens on 127.0.0.1


def _hook(site: Site, url: str) -> Subscriber:
    assert subscribers.subscriber_request(site.plan, email="ops@example.com", url=url) == "asked"
    sub = Subscriber.objects.get(url=url)
    assert subscribers.subscriber_confirm(site.plan, tokens.confirm_token(sub.code, sub.nonce)) is not None
    return Subscriber.objects.get(pk=sub.pk)


def test_webhook_documents_in_statuspage_shape(site: Site) -> None:
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    with Sink() as sink:
        hook = _hook(site, f"{sink.url}/ok/hook")
        with time_machine.travel(moment, tick=False):
            incident = services.incident_create(
                site.plan, by=site.comms, name="Slow API", body="Requests are slow.",
                component_states={site.api.pk: "degraded_performance"},
            )  # fmt: skip
            outbox.tick()
            outbox.tick()  # a second beat sends nothing more
        calls = [c for c in sink.calls if c["path"] == "/ok/hook"]
    assert len(calls) == 2 and len({c["key"] for c in calls}) == 2
    by_kind = {("incident" if "incident" in c["json"] else "component"): c["json"] for c in calls}
    page = f"https://status.example.com/status/{site.plan.slug}/"
    meta = {
        "unsubscribe": f"https://status.example.com/status/{site.plan.slug}/unsubscribe/"
        f"{tokens.unsubscribe_token(hook.code)}/",
        "documentation": f"{page}subscribe/#webhooks",
    }
    page_doc = {"id": site.plan.slug, "status_indicator": "minor", "status_description": "Minor Service Outage"}
    at = site.plan.local(moment).isoformat(timespec="milliseconds")
    doc = by_kind["incident"]
    assert set(doc) == {"meta", "page", "incident"}
    assert {k: doc["meta"][k] for k in ("unsubscribe", "documentation")} == meta and "generated_at" in doc["meta"]
    assert doc["page"] == page_doc
    expected_incident = {
        "id": incident.code,
        "name": "Slow API",
        "status": "investigating",
        "impact": "minor",
        "created_at": at,
        "shortlink": f"{page}incidents/{incident.code}/",
        "monitoring_at": None,
        "resolved_at": None,
    }
    assert {k: doc["incident"][k] for k in expected_incident} == expected_incident
    (update,) = doc["incident"]["incident_updates"]
    assert {k: update[k] for k in ("status", "body", "incident_id", "created_at", "display_at")} == {
        "status": "investigating",
        "body": "Requests are slow.",
        "incident_id": incident.code,
        "created_at": at,
        "display_at": at,
    }
    assert update["affected_components"][0]["new_status"] == "degraded_performance"
    doc = by_kind["component"]
    assert set(doc) == {"meta", "page", "component_update", "component"}
    assert doc["page"] == page_doc
    cu = doc["component_update"]
    assert {k: cu[k] for k in ("created_at", "old_status", "new_status", "component_id", "component_type")} == {
        "created_at": at,
        "old_status": "operational",
        "new_status": "degraded_performance",
        "component_id": site.api.code,
        "component_type": "Component",
    }
    assert len(cu["id"]) == 12
    assert {k: doc["component"][k] for k in ("id", "name", "status", "page_id")} == {
        "id": site.api.code,
        "name": "API",
        "status": "degraded_performance",
        "page_id": site.plan.slug,
    }


def test_a_resolved_update_carries_every_update_so_far_newest_first(site: Site) -> None:
    with Sink() as sink:
        _hook(site, f"{sink.url}/ok/hook")
        incident = services.incident_create(site.plan, by=site.comms, name="Slow API", body="Looking.")
        services.incident_update_post(incident, by=site.comms, body="Fixed.", status="resolved")
        outbox.tick()
        docs = [c["json"]["incident"] for c in sink.calls]
    docs.sort(key=lambda d: len(d["incident_updates"]))
    assert [d["status"] for d in docs] == ["investigating", "resolved"]
    assert [u["status"] for u in docs[1]["incident_updates"]] == ["resolved", "investigating"]


def test_private_webhook_targets_are_refused_in_production(site: Site, settings: Settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1/hook", "http://192.168.1.10/hook", "http://[::1]/hook", "file:///etc/passwd"):
        with pytest.raises(Exception, match=r"(?i)loopback|private|http"):
            subscribers.subscriber_request(site.plan, email="ops@example.com", url=url)
    assert not Subscriber.objects.exists()


def test_the_incident_page_is_public_cached_and_linked(
    client: Client, site: Site, django_assert_num_queries: object
) -> None:
    before = timezone.now() - timedelta(hours=2)
    with time_machine.travel(before, tick=False):
        incident = services.incident_create(site.plan, by=site.comms, name="Slow API", body="Looking <b>now</b>.")
    with time_machine.travel(before + timedelta(minutes=30), tick=False):
        services.incident_update_post(incident, by=site.comms, body="Fixed.", status="resolved")
    url = reverse("statuspage:incident", args=[site.plan.slug, incident.code])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    assert html.index("Fixed.") < html.index("Looking &lt;b&gt;now&lt;/b&gt;.")  # newest first, escaped
    assert "<time data-local" in html  # shown in the viewer's zone by the page's script
    assert 'action="http://testserver/status/' in html  # the subscribe form
    with django_assert_num_queries(0):  # type: ignore[operator]
        again = client.get(url)
    assert again.status_code == 200 and again.content == response.content
    for name in ("page", "history"):
        listing = client.get(reverse(f"statuspage:{name}", args=[site.plan.slug])).content.decode()
        assert f"/status/{site.plan.slug}/incidents/{incident.code}/" in listing
    assert client.get(reverse("statuspage:incident", args=[site.plan.slug, "nosuchcode"])).status_code == 404


def test_the_launch_window_has_its_page_too(client: Client, site: Site) -> None:
    from statuspage.selectors import public_state

    code = public_state(site.plan).maintenance.id  # type: ignore[union-attr]
    html = client.get(reverse("statuspage:incident", args=[site.plan.slug, code])).content.decode()
    assert "Scheduled maintenance" in html and "Scheduled for" in html


def test_the_page_has_a_subscribe_form_that_works_without_javascript(client: Client, site: Site) -> None:
    html = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    assert '<form method="post" action="http://testserver/status/' in html and 'name="email"' in html
    assert "csrfmiddlewaretoken" not in html  # a shared cached page: no per-visitor token
