"""Built for a spike: every public response from a cached rendering, with validators and shared-cache
headers, no session, and no database query on a cached hit."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from statuspage import services

from .conftest import BEFORE, T0, Site

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

pytestmark = pytest.mark.django_db

PUBLIC = [
    ("statuspage:page", []),
    ("statuspage:live", []),
    ("statuspage:history", []),
    ("statuspage:atom", []),
    ("statuspage:rss", []),
    ("statuspage:badge", []),
    ("statuspage:widget", []),
    ("statuspage:api", ["summary.json"]),
    ("statuspage:api", ["status.json"]),
    ("statuspage:api", ["components.json"]),
    ("statuspage:api", ["incidents.json"]),
    ("statuspage:api", ["incidents/unresolved.json"]),
    ("statuspage:api", ["scheduled-maintenances.json"]),
    ("statuspage:api", ["scheduled-maintenances/upcoming.json"]),
    ("statuspage:api", ["scheduled-maintenances/active.json"]),
]


@pytest.mark.parametrize(("name", "args"), PUBLIC)
def test_a_cached_hit_reads_no_database_and_sets_no_cookie(
    client: Client, site: Site, name: str, args: list[str], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse(name, args=[site.plan.slug, *args])
    with time_machine.travel(BEFORE, tick=False):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            hit = client.get(url)
            not_modified = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
            since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert hit.status_code == 200 and hit.content == first.content
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert since.status_code == 304
    for response in (first, hit, not_modified):
        assert response["Cache-Control"] == "public, max-age=15, stale-while-revalidate=60"
        assert response["ETag"] == first["ETag"] and response["Last-Modified"] == first["Last-Modified"]
        assert "Set-Cookie" not in response and not response.cookies
        assert "Cookie" not in response.get("Vary", "")


def test_gzip_for_those_that_accept_it(client: Client, site: Site) -> None:
    import gzip

    url = reverse("statuspage:page", args=[site.plan.slug])
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip" and gzip.decompress(packed.content) == plain.content
    assert packed["Vary"] == "Accept-Encoding"


def test_a_write_turns_the_page_over_at_once(
    client: Client, site: Site, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    url = reverse("statuspage:api", args=[site.plan.slug, "components.json"])
    before = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.component_set_status(site.web, by=site.comms, status="major_outage")
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.json()["components"][0]["status"] == "major_outage"


def test_time_alone_turns_the_page_over_when_the_window_opens(client: Client, site: Site) -> None:
    url = reverse("statuspage:api", args=[site.plan.slug, "scheduled-maintenances.json"])
    with time_machine.travel(T0 - timedelta(seconds=1), tick=False):
        assert client.get(url).json()["scheduled_maintenances"][0]["status"] == "scheduled"
    with time_machine.travel(T0, tick=False):
        assert client.get(url).json()["scheduled_maintenances"][0]["status"] == "in_progress"


def test_a_draft_plan_has_no_status_page_even_from_the_cache(client: Client, site: Site) -> None:
    from plans.models import PlanStatus

    site.plan.status = PlanStatus.DRAFT
    site.plan.save()
    assert client.get(reverse("statuspage:page", args=[site.plan.slug])).status_code == 404
    assert client.get(reverse("statuspage:api", args=[site.plan.slug, "summary.json"])).status_code == 404


def test_the_widget_may_be_framed_by_other_sites_and_the_page_may_not(client: Client, site: Site) -> None:
    widget = client.get(reverse("statuspage:widget", args=[site.plan.slug]))
    page = client.get(reverse("statuspage:page", args=[site.plan.slug]))
    assert "frame-ancestors *" in widget["Content-Security-Policy"] and "X-Frame-Options" not in widget
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"
