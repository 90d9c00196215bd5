from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse

from communications.models import StatusPost
from statuspage import services
from statuspage.cache import stale

from .conftest import BEFORE, Site

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_page_shows_components_the_launch_window_and_incidents(client: Client, site: Site) -> None:
    StatusPost.objects.create(
        plan=site.plan, title="Maintenance window confirmed", body="All set.", published_at=BEFORE
    )
    with time_machine.travel(BEFORE, tick=False):
        services.component_set_status(site.api, by=site.comms, status="degraded_performance")
        services.incident_create(site.plan, by=site.comms, name="Slow API", body="Requests are slow; we are on it.")
        response = client.get(reverse("statuspage:page", args=[site.plan.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Web app",
        "Degraded performance",
        "Slow API",
        "Requests are slow",
        "Scheduled maintenance",
        "Maintenance window confirmed",
        "Tue 1 Dec 2026, 12:00 GMT",
        "Tue 1 Dec 2026, 14:00 GMT",
        "Minor Service Outage",
    ):
        assert text in html, text
    assert "Zanzibar" not in html and "Quill" not in html and "internal wording" not in html


def test_the_page_has_one_h1_its_visible_title(client: Client, site: Site) -> None:
    """The public page had no <h1> (its title was a link in the top bar): now that title is the h1."""
    html = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1, headings
    assert re.sub(r"<[^>]+>", "", headings[0]).split() == [*site.plan.name.split(), "Status"]


def test_no_countdown_once_launched(client: Client, site: Site) -> None:
    """Launched before T-0 with T-0 left where it was, the page counted down to a launch that had happened."""
    from plans.models import Plan, PlanStatus

    url = reverse("statuspage:page", args=[site.plan.slug])
    with time_machine.travel(BEFORE, tick=False):
        assert "data-sp-countdown" in client.get(url).content.decode()  # counting down
        launched = {"status": PlanStatus.LAUNCHED, "revision": F("revision") + 1}  # (test set-up; a new revision)
        Plan.objects.filter(pk=site.plan.pk).update(**launched)
        stale(site.plan.slug)  # what a committed write does (statuspage.signals)
        html = client.get(url).content.decode()
    assert "data-sp-countdown" not in html and "Launched" in html


@pytest.mark.parametrize(
    ("ending", "heading", "line"),
    [
        ("aborted", "Cancelled maintenance", "Called off: nothing changes for you; everything stays as it is."),
        ("rolled_back", "Completed maintenance", "Rolled back: the previous version is in service again."),
    ],
)
def test_an_ended_launch_window_says_how_it_ended(
    client: Client, site: Site, ending: str, heading: str, line: str
) -> None:
    """An aborted launch's window read "Completed maintenance", its time still ahead, as if it had happened."""
    from plans import services as ps

    with time_machine.travel(BEFORE, tick=False):
        ps.plan_transition(site.plan, to=ending, by=site.coordinator, reason="Payments provider down")
        html = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    maintenance = html.split('id="sp-maint-h"', 1)[1].split("</section>", 1)[0]
    assert maintenance.startswith(f">{heading}</h2>") and line in maintenance, maintenance[:400]
    assert "Payments provider down" not in html  # the internal reason stays inside


def test_hourly_posts_with_one_title_show_it_once(client: Client, site: Site) -> None:
    """The hourly customer updates of a launch still scheduled share their title: it headed each of them, the
    same words three times over. A title is shown where it changes; every update keeps its own time and text."""
    from datetime import timedelta

    scheduled = "Shop: scheduled for Tuesday 1 December 2026 at 12:00 GMT"
    for hours, title, body in (
        (3, scheduled, "Next update: 10:00."),
        (2, scheduled, "Next update: 11:00."),
        (1, "Shop: starting", "The launch is starting now."),
    ):
        StatusPost.objects.create(plan=site.plan, title=title, body=body, published_at=BEFORE - timedelta(hours=hours))
    with time_machine.travel(BEFORE, tick=False):
        html = client.get(reverse("statuspage:page", args=[site.plan.slug])).content.decode()
    maintenance = html.split('id="sp-maint-h"', 1)[1].split("</section>", 1)[0]
    assert maintenance.count(f"<h3>{scheduled}</h3>") == 1 and maintenance.count("<h3>Shop: starting</h3>") == 1
    assert "Next update: 10:00." in maintenance and "Next update: 11:00." in maintenance


def test_the_launch_window_shows_blue_not_the_green_of_all_well(client: Client, site: Site) -> None:
    """During the launch window with nothing wrong the page said "Service Under Maintenance" on the green of "All
    Systems Operational"; it is blue, as Statuspage shows maintenance, on the page, the widget and the badge. An
    incident's colour wins; the JSON's indicator stays Statuspage's "none"."""
    from datetime import timedelta

    from .conftest import T0

    page, widget = f"/status/{site.plan.slug}/", f"/status/{site.plan.slug}/widget/"
    with time_machine.travel(BEFORE, tick=False):
        assert 'class="sp-banner indicator-none"' in client.get(page).content.decode()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        html = client.get(page).content.decode()
        assert 'class="sp-banner indicator-maintenance"' in html and "Service Under Maintenance" in html
        assert 'class="sp-banner indicator-maintenance"' in client.get(widget).content.decode()
        assert "#0969da" in client.get(f"/status/{site.plan.slug}/badge.svg").content.decode()
        assert client.get(f"/status/{site.plan.slug}/api/v2/status.json").json()["status"]["indicator"] == "none"


def test_a_window_past_its_end_says_the_results_are_being_checked(client: Client, site: Site) -> None:
    """Past the window's end with the launch not done, the heading still read "Maintenance in progress" and the
    incident's page "In progress" while the API said verifying: both say so now, with when the window ended."""
    from datetime import timedelta

    from .conftest import T0

    page = f"/status/{site.plan.slug}/"
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        html = client.get(page).content.decode()
    assert ">Maintenance in progress</h2>" in html and "the team is checking" not in html
    with time_machine.travel(T0 + timedelta(hours=2, minutes=10), tick=False):
        html = client.get(page).content.decode()
        maintenance = html.split('id="sp-maint-h"', 1)[1].split("</section>", 1)[0]
        incident = re.search(r'href="https?://[^/]+(/status/[^"]+/incidents/[^"]+/)"', maintenance)
        assert incident, maintenance[:400]
        detail = client.get(incident.group(1)).content.decode()
    assert maintenance.startswith(">Maintenance: checking the results</h2>"), maintenance[:200]
    assert "The planned window ended at" in maintenance and "14:00 GMT</time>; the team" in maintenance
    assert "the team is checking that everything works" in maintenance
    assert "Scheduled maintenance · Verifying" in detail
    assert "the team is checking that everything works" in detail  # the incident's own page says so too


def test_the_window_has_statuspages_automatic_updates(client: Client, site: Site) -> None:
    """The page said "No updates yet" for a maintenance whose subscribers' webhooks carried Statuspage's
    automatic updates ("Scheduled maintenance is currently in progress…", "The maintenance window has ended…"):
    the page, its JSON and the webhooks now have the same ones, newest first, beside the status posts."""
    from datetime import timedelta

    from .conftest import T0

    page, api = f"/status/{site.plan.slug}/", f"/status/{site.plan.slug}/api/v2/scheduled-maintenances.json"
    with time_machine.travel(BEFORE, tick=False):
        assert client.get(api).json()["scheduled_maintenances"][0]["incident_updates"] == []
    StatusPost.objects.create(
        plan=site.plan, title="Shop: going well", body="Halfway.", published_at=T0 + timedelta(hours=1)
    )
    with time_machine.travel(T0 + timedelta(hours=2, minutes=10), tick=False):
        html = client.get(page).content.decode()
        (maintenance,) = client.get(api).json()["scheduled_maintenances"]
    shown = html.split('id="sp-maint-h"', 1)[1].split("</section>", 1)[0]
    assert "No updates yet" not in shown
    assert (
        shown.index("The maintenance window has ended")
        < shown.index("Halfway.")
        < shown.index("Scheduled maintenance is currently in progress")
    )
    statuses = [(u["status"], u["created_at"][:16]) for u in maintenance["incident_updates"]]
    assert statuses == [
        ("verifying", "2026-12-01T14:00"),
        ("in_progress", "2026-12-01T13:00"),
        ("in_progress", "2026-12-01T12:00"),
    ]
