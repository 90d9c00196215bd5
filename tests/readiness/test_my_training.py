"""My training on the home page: a member of staff on a track's list of attendees (by the email on their
account) sees the training, the session they are booked on (when, how long, where) and whether it is still to
attend, attended, or past with no attendance recorded; nobody else's, and nothing for an account without an
email address. One query, however many trainings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from readiness.models import Attendee, Session, Track
from readiness.services import attendance_record
from tests import factories

from .world import RWorld, build

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RWorld:
    return build()


def _home(client: Client) -> str:
    response = client.get(reverse("launch:home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    start = html.find('id="my-training"')
    return html[start : html.find("<h2>Plans</h2>")] if start >= 0 else ""


def test_an_attendee_sees_the_session_booked_and_then_that_they_attended(w: RWorld, client: Client) -> None:
    ana = factories.UserFactory(username="ana", email="ANA@Example.com")  # the list has ana@example.com
    client.force_login(ana)
    with time_machine.travel(w.plan.t0 - timedelta(days=3), tick=False):
        before = _section(_home(client))
    assert "Support team</a> training" in before and "Instructors" not in before
    assert "Booked on <b>Support intensive</b> · Sun 29 Nov 12:00 UTC · 4h · Room 2" in before
    assert "To attend" in before
    assert reverse("readiness:track", args=[w.plan.slug, "support-team"]) in before

    attendee = Attendee.objects.get(email="ana@example.com")
    session = Session.objects.get(title="Support intensive")
    attendance_record(attendee, by=w.people["Support Lead"], completed=True, session=session)
    with time_machine.travel(w.plan.t0 - timedelta(days=1), tick=False):
        after = _section(_home(client))
    assert "To attend" not in after and "Completed" in after


def test_a_session_gone_by_without_attendance_says_so(w: RWorld, client: Client) -> None:
    client.force_login(factories.UserFactory(username="ben", email="ben@example.com"))
    with time_machine.travel(w.plan.t0 - timedelta(days=1), tick=False):
        html = _section(_home(client))
    assert "Attendance not recorded" in html and "To attend" not in html


def test_unbooked_attendees_are_told_who_books_them(w: RWorld, client: Client) -> None:
    Attendee.objects.filter(email="i1@example.com").update(session=None)  # (test set-up)
    client.force_login(factories.UserFactory(username="i1", email="i1@example.com"))
    html = _section(_home(client))
    assert "Instructors</a> training" in html and "Not booked on a session yet" in html


@pytest.mark.parametrize("email", ["", "nobody@example.com"])
def test_no_section_for_someone_on_no_list(w: RWorld, client: Client, email: str) -> None:
    client.force_login(factories.UserFactory(username="other", email=email))
    html = _home(client)
    assert 'id="my-training"' not in html and "Support intensive" not in html


def test_what_the_plan_author_typed_is_escaped(w: RWorld, client: Client) -> None:
    Track.objects.filter(name="Support team").update(name="Support <b>team</b>")  # (test set-up)
    Session.objects.filter(title="Support intensive").update(location="Room <script>2</script>")
    client.force_login(factories.UserFactory(username="ana", email="ana@example.com"))
    html = _section(_home(client))
    assert "Support &lt;b&gt;team&lt;/b&gt;" in html and "Room &lt;script&gt;2&lt;/script&gt;" in html
    assert "<script>2" not in html


def test_one_query_however_many_trainings(client: Client) -> None:
    def queries(plans: int) -> int:
        user = factories.UserFactory(username=f"staff{plans}", email=f"staff{plans}@example.com")
        for n in range(plans):
            w = build(t0=f"2026-12-0{n + 1}T12:00") if n else build()
            track = Track.objects.get(plan=w.plan, name="Support team")
            session = Session.objects.get(track=track)
            Attendee.objects.create(track=track, name="Staff", email=user.email, session=session)  # (test set-up)
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            _home(client)
        return len(ctx)

    assert queries(1) == queries(3)
