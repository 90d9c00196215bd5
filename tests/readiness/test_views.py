"""The readiness pages (issue 13): what they show, the queries they cost (pinned), and their writes."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from readiness import services
from readiness.models import Attendee, ReadinessItem, Track

from .world import RWorld, build

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

pytestmark = pytest.mark.django_db

#: Queries per page: the session, the user, the plan (member_plan), then the page's own (5 summary, 4 track).
BUDGET = {"summary": 9, "track": 8}


@pytest.fixture
def w() -> RWorld:
    return build()


def test_the_summary_page(w: RWorld, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    services.attendance_record(
        Attendee.objects.get(email="ana@example.com"), by=w.people["coordinator"], completed=True
    )
    client.force_login(w.people["Support Lead"])
    with django_assert_max_num_queries(BUDGET["summary"]):
        html = client.get(reverse("readiness:summary", args=[w.plan.slug])).content.decode()
    assert "Trained: <strong" in html and "8 %</strong> (1/12)" in html
    assert "50 % (1/2)" in html and "0 % (0/10)" in html and "Ben Okafor" in html
    assert "Instructor 1, Instructor 2, Instructor 3, Instructor 4, Instructor 5 and 5 more" in html
    assert "Support intensive · T-2d · Support Lead · 3 seats" in html
    item = ReadinessItem.objects.get(title="Support rota staffed")
    other = ReadinessItem.objects.get(title="Runbooks read")
    assert reverse("readiness:item_set", args=[w.plan.slug, item.pk]) in html  # the Support Lead's own
    assert reverse("readiness:item_set", args=[w.plan.slug, other.pk]) not in html


def test_the_summary_page_does_not_grow_with_tracks(
    w: RWorld, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(5):
        t = Track.objects.create(plan=w.plan, name=f"Cohort {n}", slug=f"cohort-{n}", order=10 + n)  # (test set-up)
        Attendee.objects.create(track=t, name=f"Student {n}", email=f"s{n}@example.com")  # (test set-up)
    client.force_login(w.people["stranger"])
    with django_assert_max_num_queries(BUDGET["summary"]):
        assert client.get(reverse("readiness:summary", args=[w.plan.slug])).status_code == 200


def test_the_track_page_and_recording(
    w: RWorld, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(w.people["Support Lead"])
    url = reverse("readiness:track", args=[w.plan.slug, "support-team"])
    with django_assert_max_num_queries(BUDGET["track"]):
        html = client.get(url).content.decode()
    assert "0 % (0/2)" in html and "Upload an attendance sheet" in html and "2 / 3" in html
    ben = Attendee.objects.get(email="ben@example.com")
    response = client.post(
        reverse("readiness:attendance", args=[w.plan.slug, "support-team", ben.pk]), {"completed": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#attendee-{ben.pk}")
    sheet = SimpleUploadedFile("sheet.csv", b"\xef\xbb\xbfemail\nana@example.com\n", content_type="text/csv")
    response = client.post(
        reverse("readiness:sheet", args=[w.plan.slug, "support-team"]), {"sheet": sheet}, follow=True
    )
    assert "Attendance sheet recorded: 1 attendee(s) changed." in response.content.decode()
    assert "100 % (2/2)" in response.content.decode()


def test_a_stranger_reads_but_may_not_record(w: RWorld, client: Client) -> None:
    client.force_login(w.people["stranger"])
    html = client.get(reverse("readiness:track", args=[w.plan.slug, "support-team"])).content.decode()
    assert "Upload an attendance sheet" not in html
    ben = Attendee.objects.get(email="ben@example.com")
    url = reverse("readiness:attendance", args=[w.plan.slug, "support-team", ben.pk])
    assert client.post(url, {"completed": "1"}).status_code == 403
    sheet = reverse("readiness:sheet", args=[w.plan.slug, "support-team"])
    assert client.post(sheet, {"text": "email\nben@example.com\n"}).status_code == 403
    client.force_login(w.people["Training Manager"])  # a trainer of another track
    assert client.post(url, {"completed": "1"}).status_code == 403
    assert not Attendee.objects.filter(completed_at__isnull=False).exists()


def test_a_sheet_that_is_not_utf8_is_refused_in_words(w: RWorld, client: Client) -> None:
    client.force_login(w.people["coordinator"])
    sheet = SimpleUploadedFile("sheet.csv", "email\nbén@example.com\n".encode("latin-1"), content_type="text/csv")
    response = client.post(
        reverse("readiness:sheet", args=[w.plan.slug, "support-team"]), {"sheet": sheet}, follow=True
    )
    assert "The sheet is not UTF-8 text" in response.content.decode()


def test_an_attendee_booked_on_a_session_to_come_is_booked_not_missing(w: RWorld, client: Client) -> None:
    """The Support intensive is at T-2d: before it, Ana is "Booked"; after it, not recorded, "Missing"."""
    client.force_login(w.people["Support Lead"])
    url = reverse("readiness:track", args=[w.plan.slug, "support-team"])
    ana = Attendee.objects.get(email="ana@example.com")

    def badge() -> str:
        html = client.get(url).content.decode()
        row = html[html.index(f'id="attendee-{ana.pk}"') :]
        return row[: row.index("</tr>")]

    with time_machine.travel(w.plan.t0 - timedelta(days=3), tick=False):
        assert "Booked</span>" in badge() and "Missing" not in badge()
    with time_machine.travel(w.plan.t0 - timedelta(days=1), tick=False):
        assert "Missing</span>" in badge() and "Booked" not in badge()
