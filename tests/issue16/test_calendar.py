"""What repeats, in a role's calendar feed (issue 16): each occurrence of a recurring check is an event of
its own at its time (a ticked one marked ✓), and each on-call shift of the role is an event naming the
person and the backup; a hold moves the shifts after it like the steps (they are offsets)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from checklists.models import Item
from checklists.services import item_occurrence_tick
from communications.ical import feed_create
from plans.models import Plan
from plans.services import hold_end, hold_start
from roles.models import Role, Shift

from .helpers import T0, H, M, make_plan

pytestmark = pytest.mark.django_db


def _feed(plan: Plan, slug: str, username: str) -> Calendar:
    role = Role.objects.get(plan=plan, slug=slug)
    _feed_row, token = feed_create(role, by=User.objects.get(username=username))
    body = Client().get(reverse("communications:ical", args=[plan.slug, token])).content
    return Calendar.from_ical(body)


def test_each_occurrence_is_an_event_at_its_time() -> None:
    plan = make_plan()
    with time_machine.travel(T0 + 2 * M, tick=False):
        item_occurrence_tick(
            Item.objects.get(plan=plan, title="Health check"), index=0, by=User.objects.get(username="alice")
        )
    cal = _feed(plan, "sre", "alice")
    occurrences = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("occ-")]
    assert [e.decoded("dtstart") for e in occurrences] == [T0 + k * 15 * M for k in range(9)]
    assert str(occurrences[0]["summary"]) == "✓ Health check #1 of 9"
    assert str(occurrences[1]["summary"]) == "Health check #2 of 9"
    assert len({str(e["uid"]) for e in occurrences}) == 9
    assert all(e.walk("VALARM") for e in occurrences)  # each reminded, like the items


def test_each_shift_is_an_event_in_its_roles_feed() -> None:
    plan = make_plan()
    cal = _feed(plan, "support-lead", "sam")
    shifts = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("shift-")]
    assert len(shifts) == 14
    first, second = shifts[0], shifts[1]
    assert (first.decoded("dtstart"), first.decoded("dtend")) == (T0, T0 + 12 * H)
    assert str(first["summary"]) == "On call: Bob Doe (backup Carol Doe) · Support Lead"
    assert second.decoded("dtstart") == T0 + 12 * H and "Carol Doe" in str(second["summary"])
    sre = _feed(plan, "sre", "alice")
    assert not [e for e in sre.walk("VEVENT") if str(e["uid"]).startswith("shift-")]  # the role's own shifts only


def test_a_hold_moves_the_shifts_after_it_and_keeps_those_before() -> None:
    plan = make_plan()
    coordinator = User.objects.create(username="coord-hold", is_superuser=True)
    Plan.objects.filter(pk=plan.pk).update(coordinator=coordinator)
    plan.refresh_from_db()
    with time_machine.travel(T0 + 6 * H, tick=False):
        hold_start(plan, by=coordinator, reason="Payment provider down")
    with time_machine.travel(T0 + 7 * H, tick=False):
        hold_end(plan, by=coordinator)
    plan.refresh_from_db()
    assert plan.t0 == T0 + H
    first, second = Shift.objects.filter(plan=plan).order_by("start")[:2]
    # the shift under way keeps its start and hands over an hour later; the next one slips by the hold
    assert (plan.at(first.start), plan.at(first.end)) == (T0, T0 + 13 * H)
    assert (plan.at(second.start), plan.at(second.end)) == (T0 + 13 * H, T0 + 25 * H)
    assert second.start == 12 * H and first.start == timedelta(hours=-1)


def test_the_gates_a_role_decides_or_votes_in_are_events_of_its_feed() -> None:
    """A go/no-go call is on the calendar of the role that decides it and of those whose vote it asks (it was on
    none: the feed had the role's items and steps only), at the moment it is due, ✓ once passed."""
    from checklists.models import Gate, GateStatus

    plan = make_plan()
    sre, support = Role.objects.get(plan=plan, slug="sre"), Role.objects.get(plan=plan, slug="support-lead")
    go = Gate.objects.create(plan=plan, name="Go/No-Go", slug="go", offset=-H, authority_role=sre)
    go.polled_roles.set([support])
    Gate.objects.create(plan=plan, name="Unplanned", slug="none", offset=None, authority_role=sre)  # no time
    done = Gate.objects.create(plan=plan, name="Rollout 50%", slug="half", offset=H, authority_role=support)
    Gate.objects.filter(pk=done.pk).update(status=GateStatus.PASSED)

    def gates(cal: Calendar) -> list[tuple[str, object, str]]:
        found = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("gate-")]
        return [(str(e["summary"]), e.decoded("dtstart"), str(e["description"])) for e in found]

    assert gates(_feed(plan, "sre", "alice")) == [("Gate: Go/No-Go", T0 - H, f"{plan.name}: SRE decides this gate.")]
    assert gates(_feed(plan, "support-lead", "sam")) == [
        ("Gate: Go/No-Go", T0 - H, f"{plan.name}: Support Lead votes in this gate's poll."),
        ("✓ Gate: Rollout 50%", T0 + H, f"{plan.name}: Support Lead decides this gate."),
    ]
