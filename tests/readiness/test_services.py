"""Readiness writes (issue 13): who may record attendance and tick items, and what each write records."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import Event
from readiness import services
from readiness.figures import plan_figures
from readiness.models import Attendee, ReadinessItem, Session, Track

from .world import RWorld, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RWorld:
    return build()


def _attendee(w: RWorld, email: str) -> Attendee:
    return Attendee.objects.get(track__plan=w.plan, email=email)


def test_the_training_lead_records_attendance_with_an_event(w: RWorld) -> None:
    before = w.plan.revision
    a = services.attendance_record(_attendee(w, "ana@example.com"), by=w.people["Support Lead"], completed=True)
    assert a.completed_at is not None and a.completed_by == w.people["Support Lead"]
    event = Event.objects.filter(plan=w.plan, kind="readiness.attendance").get()
    assert event.summary == "Support team: Ana Souza completed"
    w.plan.refresh_from_db()
    assert w.plan.revision == before + 1
    support = next(f for f in plan_figures(w.plan) if f.track.name == "Support team")
    assert (support.completed, support.expected, support.percent) == (1, 2, 50)
    assert [m.name for m in support.missing] == ["Ben Okafor"]


def test_a_session_trainer_records_for_their_track(w: RWorld) -> None:
    a = services.attendance_record(_attendee(w, "i1@example.com"), by=w.people["Instructor Lead"], completed=True)
    assert a.completed_at is not None


def test_another_tracks_trainer_may_not_record(w: RWorld) -> None:
    with pytest.raises(PermissionDenied, match="Support team's training lead or trainers"):
        services.attendance_record(_attendee(w, "ana@example.com"), by=w.people["Training Manager"], completed=True)
    with pytest.raises(PermissionDenied):
        services.attendance_record(_attendee(w, "ana@example.com"), by=w.people["stranger"], completed=True)
    assert not Event.objects.filter(kind="readiness.attendance").exists()


def test_the_coordinator_records_any_track_and_undoes(w: RWorld) -> None:
    a = _attendee(w, "ben@example.com")
    services.attendance_record(a, by=w.people["coordinator"], completed=True)
    services.attendance_record(a, by=w.people["coordinator"], completed=True)  # the same twice: one event
    services.attendance_record(a, by=w.people["coordinator"], completed=False, note="Off sick")
    a.refresh_from_db()
    assert a.completed_at is None and a.note == "Off sick"
    assert Event.objects.filter(kind="readiness.attendance").count() == 2


def test_a_session_of_another_track_is_refused(w: RWorld) -> None:
    other = Session.objects.get(title="Instructor workshop")
    with pytest.raises(ValidationError, match="not a session of Support team"):
        services.attendance_record(
            _attendee(w, "ana@example.com"), by=w.people["coordinator"], completed=True, session=other
        )


def test_readiness_items_are_ticked_by_their_role(w: RWorld) -> None:
    item = ReadinessItem.objects.get(title="Support rota staffed")
    with pytest.raises(PermissionDenied):
        services.readiness_item_set(item, by=w.people["Launch Lead"], done=True)
    with pytest.raises(PermissionDenied):
        services.readiness_item_set(item, by=w.people["stranger"], done=True)
    done = services.readiness_item_set(item, by=w.people["Support Lead"], done=True, note="Rota in the wiki")
    assert done.done_at is not None and done.done_by == w.people["Support Lead"]
    assert Event.objects.get(kind="readiness.item_set").summary == "Support Lead: Support rota staffed done"


def test_the_plan_file_made_tracks_sessions_and_attendees(w: RWorld) -> None:
    assert list(Track.objects.filter(plan=w.plan).values_list("name", "slug")) == [
        ("Support team", "support-team"),
        ("Instructors", "instructors"),
    ]
    s = Session.objects.get(title="Support intensive")
    assert (s.capacity, s.location, s.trainer_role.name if s.trainer_role else None) == (3, "Room 2", "Support Lead")
    assert s.at() == w.plan.t0 - __import__("datetime").timedelta(days=2)
    assert Attendee.objects.filter(track__name="Instructors").count() == 10
