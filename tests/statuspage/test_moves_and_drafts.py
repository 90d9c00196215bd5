"""Who moves a component, and the drafts the comms role is handed: a rollback trigger, an alert, a critical
issue; the comms role's permission; the history bars from the recorded changes; the feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import feedparser
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from plans.runbook.services import rollback_trigger_clear, rollback_trigger_raise
from statuspage import services
from statuspage.models import Component, ComponentChange, Incident
from statuspage.selectors import public_state
from tests import factories

from .conftest import BEFORE, Site

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_only_the_comms_role_and_the_coordinator_set_states(site: Site) -> None:
    with pytest.raises(PermissionDenied):
        services.component_set_status(site.web, by=site.other, status="major_outage")
    with pytest.raises(PermissionDenied):
        services.incident_create(site.plan, by=site.other, name="X", body="Y")
    services.component_set_status(site.web, by=site.comms, status="partial_outage")
    services.component_set_status(site.api, by=site.coordinator, status="degraded_performance")
    assert list(Component.objects.values_list("status", flat=True)) == [
        "partial_outage",
        "degraded_performance",
        "operational",
    ]
    assert ComponentChange.objects.count() == 2


def test_a_raised_trigger_moves_its_component_and_hands_the_comms_role_a_draft(site: Site) -> None:
    coordinator = site.coordinator
    rollback_trigger_raise(site.trigger, by=coordinator, reason="Ana saw 7 % failures")
    site.payments.refresh_from_db()
    assert (site.payments.status, site.payments.auto_status) == ("major_outage", "major_outage")
    [draft] = Incident.objects.filter(plan=site.plan)
    assert draft.is_draft and [c.name for c in draft.components.all()] == ["Payments"]
    assert draft.name == "Problems with Payments" and "Ana" not in draft.draft_body
    assert "internal wording" not in draft.name + draft.draft_body
    services.component_set_status(site.payments, by=site.comms, status="degraded_performance")
    rollback_trigger_clear(site.trigger, by=coordinator, reason="Provider fixed it")
    site.payments.refresh_from_db()
    assert site.payments.status == "degraded_performance"  # back to what the comms role said
    assert [c.new_status for c in site.payments.changes.all()] == ["major_outage", "degraded_performance"]
    rollback_trigger_raise(site.trigger, by=coordinator, reason="Again")  # a second alarm, a second draft
    assert Incident.objects.filter(plan=site.plan).count() == 2


def test_a_firing_alert_moves_the_components_that_name_it(site: Site) -> None:
    from api.models import AlertReceipt

    site.api.alerts = ["ApiDown"]
    site.api.save()
    receipt = AlertReceipt.objects.create(
        plan=site.plan, source="alertmanager", fingerprint="f1", starts_at=BEFORE, status="firing", alertname="ApiDown"
    )
    site.api.refresh_from_db()
    assert site.api.status == "partial_outage"
    receipt.status, receipt.resolved_at = "resolved", BEFORE + timedelta(minutes=5)
    receipt.save()
    site.api.refresh_from_db()
    assert site.api.status == "operational"


def test_a_critical_issue_prepares_a_draft_without_its_words(client: Client, site: Site) -> None:
    services.component_set_status(site.api, by=site.comms, status="partial_outage")
    factories.IssueFactory(plan=site.plan, title="Replica lag on db-3 (ops only)", severity="critical")
    factories.IssueFactory(plan=site.plan, title="Typo", severity="low")
    [draft] = Incident.objects.filter(plan=site.plan)
    assert draft.name == "Problems with API" and "db-3" not in draft.draft_body
    client.force_login(site.comms)
    page = client.get(reverse("statuspage:manage", args=[site.plan.slug])).content.decode()
    assert "Drafts to review (1)" in page and "We are investigating a problem affecting API" in page
    response = client.post(
        reverse("statuspage:incident_publish", args=[site.plan.slug, draft.pk]),
        {"name": "Slow API", "status": "identified", "impact": "major", "body": "We found a slow database."},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (
        not draft.is_draft and draft.status == "identified" and draft.updates.get().body == "We found a slow database."
    )
    public = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    assert "We found a slow database." in public and "db-3" not in public


def test_another_role_cannot_publish_through_the_page(client: Client, site: Site) -> None:
    client.force_login(site.other)
    response = client.post(
        reverse("statuspage:incident_new", args=[site.plan.slug]),
        {"name": "Fake", "status": "investigating", "impact": "minor", "body": "Nope"},
    )
    assert response.status_code == 403 and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("incident_new", "An incident needs a title, a stage, an impact and the text customers read."),
        ("incident_update", "An update needs a stage and the text customers read."),
        ("incident_publish", "A draft needs a title, a stage, an impact and the text customers read."),
    ],
)
def test_an_incident_form_without_its_fields_says_what_it_needs_and_changes_nothing(
    client: Client, site: Site, name: str, needs: str
) -> None:
    incident = services.incident_create(
        site.plan, by=site.comms, name="Slow API", status="investigating", impact="minor", body="Looking."
    )
    args = [site.plan.slug] if name == "incident_new" else [site.plan.slug, incident.pk]
    before = (Incident.objects.count(), incident.updates.count())
    client.force_login(site.other)  # a stranger to the page: refused before learning what the form lacks
    assert client.post(reverse(f"statuspage:{name}", args=args), {"status": "nonsense"}).status_code == 403
    client.force_login(site.comms)
    response = client.post(reverse(f"statuspage:{name}", args=args), {"status": "nonsense"}, follow=True)
    assert needs in response.content.decode()
    assert (Incident.objects.count(), incident.updates.count()) == before


def test_history_bars_show_each_days_worst_state(site: Site) -> None:
    day = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with time_machine.travel(day, tick=False):
        services.component_set_status(site.api, by=site.comms, status="major_outage")
    with time_machine.travel(day + timedelta(hours=2), tick=False):
        services.component_set_status(site.api, by=site.comms, status="degraded_performance")
    with time_machine.travel(day + timedelta(days=1, hours=3), tick=False):
        services.component_set_status(site.api, by=site.comms, status="operational")
    with time_machine.travel(day + timedelta(days=3), tick=False):
        state = public_state(site.plan)
    bar = state.bars[site.api.pk]
    assert len(bar) == 90
    tail = [(d.day.isoformat(), d.status) for d in bar[-5:]]
    assert tail == [
        ("2026-11-27", "operational"),
        ("2026-11-28", "major_outage"),
        ("2026-11-29", "degraded_performance"),
        ("2026-11-30", "operational"),
        ("2026-12-01", "operational"),
    ]
    assert bar[0].status is None  # before the component existed: no data, not "operational"


def test_feeds_parse_as_atom_and_rss(client: Client, site: Site) -> None:
    with time_machine.travel(BEFORE, tick=False):
        incident = services.incident_create(site.plan, by=site.comms, name="Slow API", body="Looking <b>now</b>.")
    with time_machine.travel(BEFORE + timedelta(minutes=10), tick=False):
        services.incident_update_post(incident, by=site.comms, status="resolved", body="Fixed.")
    for name, version in (("statuspage:atom", "atom10"), ("statuspage:rss", "rss20")):
        response = client.get(reverse(name, args=[site.plan.slug]))
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version and feed.feed.title == f"{site.plan.name} status: history"
        assert [e.title for e in feed.entries] == ["Slow API: Resolved", "Slow API: Investigating"]
        assert feed.entries[1].summary == "Looking <b>now</b>."  # text, escaped in the XML
        assert feed.entries[0].link.endswith(f"/status/{site.plan.slug}/incidents/{incident.code}/")
        assert len({e.id for e in feed.entries}) == 2


def test_the_comms_role_page_prompts_for_a_draft(client: Client, site: Site) -> None:
    rollback_trigger_raise(site.trigger, by=site.coordinator, reason="Alarm")
    client.force_login(site.comms)
    page = client.get(reverse("checklists:role", args=[site.plan.slug, site.role.slug])).content.decode()
    assert "Review and publish the status page draft: Problems with Payments" in page
    assert f"/plans/{site.plan.slug}/status/#drafts" in page
    client.force_login(site.other)
    other = client.get(reverse("checklists:role", args=[site.plan.slug, "dba"])).content.decode()
    assert "status page draft" not in other
