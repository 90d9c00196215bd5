"""Attendance sheets (CSV, issue 13): every row or none, each bad line named by its number."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import Event
from readiness import services
from readiness.models import Attendee, Track

from .world import RWorld, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RWorld:
    return build()


def _instructors(w: RWorld) -> Track:
    return Track.objects.get(plan=w.plan, name="Instructors")


def _done(w: RWorld) -> set[str]:
    return set(Attendee.objects.filter(track__plan=w.plan, completed_at__isnull=False).values_list("email", flat=True))


def test_a_good_sheet_records_every_row_in_one_event(w: RWorld) -> None:
    sheet = (
        "Email,Name,Completed,Session\r\n"
        "i1@example.com,Instructor 1,yes,Instructor workshop\nI2@Example.com,,x,\ni3@example.com,,no,\n\n"
    )
    changed = services.attendance_import(_instructors(w), by=w.people["Instructor Lead"], text=sheet)
    assert changed == 2
    assert _done(w) == {"i1@example.com", "i2@example.com"}
    assert Attendee.objects.get(email="i1@example.com").attended is not None
    event = Event.objects.get(kind="readiness.sheet_imported")
    assert event.summary == "Instructors: attendance sheet of 3 rows (2 completed, 2 changed)"


def test_a_sheet_with_the_line_endings_of_excel_for_mac_is_read(w: RWorld) -> None:
    """Excel for Mac ends CSV lines with a lone carriage return; the csv module alone answered that with an
    error (a 500 on the track page)."""
    sheet = 'email,completed,note\ri1@example.com,yes,"First\rsecond"\ri2@example.com,no,\r'
    assert services.attendance_import(_instructors(w), by=w.people["coordinator"], text=sheet) == 1
    assert _done(w) == {"i1@example.com"}
    assert Attendee.objects.get(email="i1@example.com").note == "First\nsecond"
    roster = "name,email\rCarla Dias,carla@example.com\r"
    assert services.attendees_import(_support(w), by=w.people["coordinator"], text=roster) == (1, 0)


def test_a_sheet_the_csv_module_cannot_read_is_refused_with_its_line(w: RWorld) -> None:
    """A field over the csv module's limit (128 KB, under the 1 MB a sheet may be) in the header or a row."""
    huge = "x" * 140_000
    for text in (f"email,{huge}\ni1@example.com,\n", f"email,note\ni1@example.com,{huge}\n"):
        with pytest.raises(ValidationError) as exc:
            services.attendance_import(_instructors(w), by=w.people["coordinator"], text=text)
        assert any(m.startswith("Line ") and "field limit" in m for m in exc.value.messages), exc.value.messages
        with pytest.raises(ValidationError) as exc:
            services.attendees_import(_support(w), by=w.people["coordinator"], text=text.replace("email", "name,email"))
        assert any(m.startswith("Line ") and "field limit" in m for m in exc.value.messages), exc.value.messages
    assert _done(w) == set()


def test_a_sheet_without_a_completed_column_means_all_completed(w: RWorld) -> None:
    services.attendance_import(
        _instructors(w), by=w.people["coordinator"], text="email\ni4@example.com\ni5@example.com\n"
    )
    assert _done(w) == {"i4@example.com", "i5@example.com"}


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (
            "email,completed\ni1@example.com,yes\ni2@example.com,perhaps\n",
            "Line 3: completed is “perhaps”; write yes or no.",
        ),
        (
            "email\ni1@example.com\nnobody@example.com\n",
            "Line 3: nobody@example.com is not an expected attendee of this track.",
        ),
        ("email\ni1@example.com\ni2@example.com\nI1@example.com\n", "Line 4: i1@example.com is already on line 2."),
        ("email\nnot-an-address\n", "Line 2: “not-an-address” is not an e-mail address."),
        ("email,session\ni1@example.com,Yoga\n", "Line 2: no session of this track is called “Yoga”."),
        ("name,completed\nAna,yes\n", "Line 1: the sheet needs a header row with an “email” column."),
        ("email\n", "The sheet has no rows."),
    ],
)
def test_a_bad_sheet_names_the_line_and_records_nothing(w: RWorld, sheet: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.attendance_import(_instructors(w), by=w.people["coordinator"], text=sheet)
    assert message in exc.value.messages
    assert _done(w) == set()  # the good first row was not recorded either
    assert not Event.objects.filter(kind="readiness.sheet_imported").exists()


def test_a_support_team_member_is_unknown_on_the_instructor_sheet(w: RWorld) -> None:
    with pytest.raises(ValidationError, match="Line 2: ana@example.com is not an expected attendee"):
        services.attendance_import(_instructors(w), by=w.people["coordinator"], text="email\nana@example.com\n")


def test_only_the_tracks_trainers_may_upload(w: RWorld) -> None:
    for who in ("Support Lead", "stranger"):
        with pytest.raises(PermissionDenied):
            services.attendance_import(_instructors(w), by=w.people[who], text="email\ni1@example.com\n")
    assert _done(w) == set()


def _support(w: RWorld) -> Track:
    return Track.objects.get(plan=w.plan, name="Support team")


def test_a_participant_list_adds_and_updates_expected_attendees(w: RWorld) -> None:
    roster = "Name,Email,Session\nAna Souza-Lima,ANA@example.com,\nCarla Dias,carla@example.com,Support intensive\n"
    added, updated = services.attendees_import(_support(w), by=w.people["Support Lead"], text=roster)
    assert (added, updated) == (1, 1)
    rows = list(Attendee.objects.filter(track__name="Support team").values_list("name", "email", "session__title"))
    assert rows == [
        ("Ana Souza-Lima", "ana@example.com", "Support intensive"),  # no session in the list: it keeps its own
        ("Ben Okafor", "ben@example.com", "Support intensive"),
        ("Carla Dias", "carla@example.com", "Support intensive"),
    ]
    assert Event.objects.get(kind="readiness.attendees_imported").summary == (
        "Support team: participant list of 2 (1 added, 1 updated)"
    )


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("name,email\nCarla,carla@example.com\nDan,dan@example\n,eve@example.com\n", "Line 4: the name is empty"),
        (
            "name,email\nCarla,carla@example.com\nCarla D,Carla@example.com\n",
            "Line 3: Carla@example.com is already on line 2.",
        ),
        ("email\ncarla@example.com\n", "Line 1: the list needs a header row with “name” and “email” columns."),
    ],
)
def test_a_bad_participant_list_imports_nothing(w: RWorld, roster: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.attendees_import(_support(w), by=w.people["coordinator"], text=roster)
    assert any(m.startswith(message) for m in exc.value.messages), exc.value.messages
    assert Attendee.objects.filter(track__name="Support team").count() == 2


def test_only_the_training_lead_imports_the_list(w: RWorld) -> None:
    track = Track.objects.get(plan=w.plan, name="Instructors")
    for who in ("Instructor Lead", "Support Lead", "stranger"):  # a session trainer records, but does not import
        with pytest.raises(PermissionDenied):
            services.attendees_import(track, by=w.people[who], text="name,email\nZoe,zoe@example.com\n")
    assert services.attendees_import(
        track, by=w.people["Training Manager"], text="name,email\nZoe,zoe@example.com\n"
    ) == (1, 0)
