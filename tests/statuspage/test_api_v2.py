"""The JSON documents against Atlassian Statuspage's public v2 API (https://metastatuspage.com/api/v2/ and
the developer docs, https://developer.statuspage.io/): the expected documents below are written from the
documentation's field lists and example responses, not from our output.

Documented shapes (v2):
- every document has ``page``: ``{id, name, url, time_zone, updated_at}``;
- ``status.json``: ``page`` and ``status: {indicator, description}``; indicator is one of none, minor, major,
  critical, with descriptions such as "All Systems Operational", "Partial System Outage";
- ``components.json``: ``components`` with id, name, status, created_at, updated_at, position, description,
  showcase, start_date, group_id, page_id, group, only_show_if_degraded;
- ``incidents.json`` (and ``incidents/unresolved.json``): id, name, status, created_at, updated_at,
  monitoring_at, resolved_at, impact, shortlink, started_at, page_id, incident_updates, components; an
  update has id, status, body, incident_id, created_at, updated_at, display_at, affected_components,
  deliver_notifications, custom_tweet, tweet_id;
- ``scheduled-maintenances.json`` (and ``/upcoming.json``, ``/active.json``): incidents with
  ``scheduled_for`` and ``scheduled_until``, statuses scheduled, in_progress, verifying, completed;
- ``summary.json``: page, components, incidents (unresolved), scheduled_maintenances (upcoming and active),
  status.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.urls import reverse

from plans.runbook.services import rollback_trigger_raise
from statuspage import services

from .conftest import BEFORE, T0, Site

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date",
    "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink",
    "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components",
    "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip
INDICATORS = {"none", "minor", "major", "critical"}


def get(client: Client, site: Site, document: str) -> dict[str, Any]:
    response = client.get(reverse("statuspage:api", args=[site.plan.slug, document]))
    assert response.status_code == 200, document
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)  # type: ignore[no-any-return]


def test_status_and_components_are_statuspage_documents(client: Client, site: Site) -> None:
    with time_machine.travel(BEFORE, tick=False):
        site.plan.refresh_from_db()
        status = get(client, site, "status.json")
        components = get(client, site, "components.json")
    url = f"http://testserver/status/{site.plan.slug}/"
    page = {
        "id": site.plan.slug,
        "name": site.plan.name,
        "url": url,
        "time_zone": "Europe/London",
        "updated_at": site.plan.local(site.plan.updated_at).isoformat(timespec="milliseconds"),
    }
    assert status == {"page": page, "status": {"indicator": "none", "description": "All Systems Operational"}}
    assert components["page"] == page
    assert [c["name"] for c in components["components"]] == ["Web app", "API", "Payments"]
    api = components["components"][1]
    assert set(api) == COMPONENT_KEYS
    assert api == {
        "id": site.api.code,
        "name": "API",
        "status": "operational",
        "created_at": "2026-11-21T12:00:00.000+00:00",
        "updated_at": site.plan.local(site.api.updated_at).isoformat(timespec="milliseconds"),
        "position": 2,
        "description": "Public REST API",
        "showcase": True,
        "start_date": "2026-11-21",
        "group_id": None,
        "page_id": site.plan.slug,
        "group": False,
        "only_show_if_degraded": False,
    }
    assert components["components"][2]["description"] is None  # Statuspage: null, not ""


@pytest.mark.parametrize(
    ("state", "indicator", "description"),
    [
        ("operational", "none", "All Systems Operational"),
        ("degraded_performance", "minor", "Minor Service Outage"),
        ("partial_outage", "major", "Partial System Outage"),
        ("major_outage", "critical", "Major Service Outage"),
    ],
)
def test_the_indicator_follows_the_worst_component(
    client: Client, site: Site, state: str, indicator: str, description: str
) -> None:
    services.component_set_status(site.web, by=site.comms, status=state)
    assert get(client, site, "status.json")["status"] == {"indicator": indicator, "description": description}


def test_incidents_with_their_updates(client: Client, site: Site) -> None:
    with time_machine.travel(BEFORE, tick=False):
        incident = services.incident_create(
            site.plan,
            by=site.comms,
            name="Payments failing",
            body="Some card payments fail. We are investigating.",
            impact="major",
            component_states={site.payments.pk: "partial_outage"},
        )
    with time_machine.travel(BEFORE + timedelta(minutes=20), tick=False):
        services.incident_update_post(incident, by=site.comms, status="identified", body="A provider fault; fixing.")
        summary = get(client, site, "summary.json")
        unresolved = get(client, site, "incidents/unresolved.json")
        everything = get(client, site, "incidents.json")
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert summary["status"]["indicator"] in INDICATORS
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    [doc] = summary["incidents"]
    assert doc == unresolved["incidents"][0] == everything["incidents"][0]
    assert set(doc) == INCIDENT_KEYS
    assert doc["status"] == "identified" and doc["impact"] == "major" and doc["name"] == "Payments failing"
    assert doc["resolved_at"] is None and doc["monitoring_at"] is None
    assert doc["shortlink"] == f"http://testserver/status/{site.plan.slug}/incidents/{incident.code}/"
    assert doc["created_at"] == "2026-12-01T09:00:00.000+00:00"
    assert [u["status"] for u in doc["incident_updates"]] == ["identified", "investigating"]  # newest first
    first = doc["incident_updates"][1]
    assert set(first) == UPDATE_KEYS
    assert first["incident_id"] == incident.code and first["body"].startswith("Some card payments fail")
    assert first["affected_components"] == [
        {"code": site.payments.code, "name": "Payments", "old_status": "operational", "new_status": "partial_outage"}
    ]
    assert [c["name"] for c in doc["components"]] == ["Payments"]


def test_resolving_moves_an_incident_out_of_unresolved(client: Client, site: Site) -> None:
    incident = services.incident_create(site.plan, by=site.comms, name="Blip", body="Looking.")
    services.incident_update_post(incident, by=site.comms, status="monitoring", body="Fixed; watching.")
    services.incident_update_post(incident, by=site.comms, status="resolved", body="All good.")
    assert get(client, site, "incidents/unresolved.json")["incidents"] == []
    doc = get(client, site, "incidents.json")["incidents"][0]
    assert doc["status"] == "resolved" and doc["resolved_at"] and doc["monitoring_at"]


def test_the_launch_window_is_a_scheduled_maintenance(client: Client, site: Site) -> None:
    with time_machine.travel(BEFORE, tick=False):
        upcoming = get(client, site, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
        assert get(client, site, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    [doc] = upcoming
    assert set(doc) == INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}
    assert doc["status"] == "scheduled" and doc["impact"] == "maintenance"
    assert doc["scheduled_for"] == "2026-12-01T12:00:00.000+00:00"
    assert doc["scheduled_until"] == "2026-12-01T14:00:00.000+00:00"
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        [active] = get(client, site, "scheduled-maintenances/active.json")["scheduled_maintenances"]
        summary = get(client, site, "summary.json")
    assert active["status"] == "in_progress" and active["id"] == doc["id"]
    assert summary["scheduled_maintenances"] == [active]
    assert summary["status"] == {"indicator": "none", "description": "Service Under Maintenance"}


def test_drafts_and_internal_words_never_reach_the_api(client: Client, site: Site) -> None:
    from tests import factories

    factories.IssueFactory(plan=site.plan, title="DB replica lag (ops only)", severity="critical")
    rollback_trigger_raise(site.trigger, by=site.coordinator, reason="Ana saw 7 % failures")
    body = json.dumps(get(client, site, "incidents.json")) + json.dumps(get(client, site, "summary.json"))
    assert "ops only" not in body and "Ana saw" not in body and "internal wording" not in body
    assert get(client, site, "incidents.json")["incidents"] == []  # the drafts wait for the comms role
    assert get(client, site, "components.json")["components"][2]["status"] == "major_outage"  # moved by the trigger


def test_an_unknown_document_is_404(client: Client, site: Site) -> None:
    assert client.get(f"/status/{site.plan.slug}/api/v2/pages.json").status_code == 404
