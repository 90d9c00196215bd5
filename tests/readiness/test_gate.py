"""A gate's readiness bars (issue 13): read live from the tracks' figures, a figure under its bar blocks GO
with the missing names, and the decision's event keeps every track's figure for the review."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists import services as cs
from checklists.models import Gate, GateStatus
from plans.models import Event
from readiness import services
from readiness.models import Attendee, Track

from .world import RWorld, build

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RWorld:
    return build()


def _complete(w: RWorld, emails: list[str]) -> None:
    for a in Attendee.objects.filter(email__in=emails):
        services.attendance_record(a, by=w.people["coordinator"], completed=True)


def test_a_figure_below_its_bar_blocks_go_then_passes_when_met(w: RWorld) -> None:
    gate = Gate.objects.get(plan=w.plan, name="Go/No-Go")
    lead = w.people["Launch Lead"]
    _complete(w, ["ana@example.com"] + [f"i{n}@example.com" for n in range(1, 9)])  # 50 %, 80 %
    with pytest.raises(ValidationError) as exc:
        cs.gate_decide(gate, by=lead, decision="go")
    text = " ".join(exc.value.messages)
    assert "Readiness “Support team trained ≥ 100 %” is 50 % (1/2): missing Ben Okafor." in text
    assert "Readiness “Instructors trained ≥ 90 %” is 80 % (8/10): missing Instructor 9, Instructor 10." in text
    _complete(w, ["ben@example.com", "i9@example.com"])  # 100 %, 90 %: both met
    passed = cs.gate_decide(gate, by=lead, decision="go")
    assert passed.status == GateStatus.PASSED
    event = Event.objects.get(kind="gate.decided")
    assert event.data["readiness"] == [
        {"track": "Support team", "slug": "support-team", "percent": 100, "completed": 2, "expected": 2, "bar": 100},
        {"track": "Instructors", "slug": "instructors", "percent": 90, "completed": 9, "expected": 10, "bar": 90},
    ]


def test_a_track_nobody_is_expected_on_never_meets_a_bar(w: RWorld) -> None:
    Attendee.objects.filter(track__name="Support team").delete()  # (test set-up)
    _complete(w, [f"i{n}@example.com" for n in range(1, 11)])
    gate = Gate.objects.get(plan=w.plan, name="Go/No-Go")
    with pytest.raises(ValidationError, match="Support team trained ≥ 100 %” is no attendees expected"):
        cs.gate_decide(gate, by=w.people["Launch Lead"], decision="go")


def test_the_gate_page_shows_the_figures_and_who_is_missing(
    w: RWorld, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _complete(w, ["ana@example.com"])
    client.force_login(w.people["Launch Lead"])
    slug = Gate.objects.get(plan=w.plan, name="Go/No-Go").slug
    url = reverse("checklists:gate", args=[w.plan.slug, slug])
    with django_assert_max_num_queries(15):  # the checklists budget (14) + the bars' attendees
        html = client.get(url).content.decode()
    assert "Support team trained ≥ 100 %" in html and "50 % (1/2)" in html
    assert "Ben Okafor" in html and "Instructors trained ≥ 90 %" in html and "0 % (0/10)" in html
    poll = client.get(reverse("checklists:gate_poll", args=[w.plan.slug, slug])).content.decode()
    assert "readiness-figure" in poll and "missing Ben Okafor" in poll
    assert Track.objects.filter(plan=w.plan).count() == 2
