"""Taking back a tick of an occurrence and ticking a missed one late (issue 16): who and when are
recorded; a missed occurrence ticked late counts as done late, not missed; the role page offers both."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from checklists.models import Item, Occurrence
from checklists.series.state import plan_series
from checklists.services import item_occurrence_tick, item_occurrence_untick
from plans.models import Event

from .helpers import T0, M, make_plan

pytestmark = pytest.mark.django_db


def test_a_missed_occurrence_ticked_late_counts_as_done_late_not_missed() -> None:
    plan = make_plan()
    item = Item.objects.get(plan=plan, title="Health check")
    alice = User.objects.get(username="alice")
    at = T0 + 40 * M  # #1 (12:00) and #2 (12:15) missed, #3 (12:30) current
    with time_machine.travel(at, tick=False):
        before = plan_series(plan, now=at)[0].state
        assert (before.done, before.missed, before.done_late) == (0, 2, 0)
        item_occurrence_tick(item, index=1, by=alice)
        after = plan_series(plan, now=at)[0].state
    assert (after.done, after.missed, after.done_late) == (1, 1, 1)
    assert after.slots[1].late and after.current is not None and after.current.index == 2
    tick = Occurrence.objects.get(item=item, index=1)
    assert tick.done_by == alice and tick.done_at == at


def test_untick_takes_the_tick_back_and_records_who_ticked_it_and_when() -> None:
    plan = make_plan()
    item = Item.objects.get(plan=plan, title="Health check")
    alice, quinn = User.objects.get(username="alice"), User.objects.get(username="quinn")
    with time_machine.travel(T0 + 2 * M, tick=False):
        item_occurrence_tick(item, index=0, by=alice)
    with time_machine.travel(T0 + 5 * M, tick=False):
        with pytest.raises(PermissionDenied):
            item_occurrence_untick(item, index=0, by=quinn)
        assert item_occurrence_untick(item, index=0, by=alice, reason="Ticked the wrong check")
        assert not item_occurrence_untick(item, index=0, by=alice)  # nothing left to take back
        state = plan_series(plan, now=T0 + 5 * M)[0].state
    assert not Occurrence.objects.filter(item=item).exists()
    assert state.done == 0 and state.current is not None and state.current.index == 0
    event = Event.objects.get(plan=plan, kind="item.occurrence_unticked")
    assert event.actor == alice
    assert event.summary == (
        "Took back the tick of “Health check” #1 (ticked by Alice Doe at Sat 12:02): Ticked the wrong check"
    )
    assert event.data["ticked_at"] == (T0 + 2 * M).isoformat()


def test_the_role_page_offers_a_late_tick_and_an_undo() -> None:
    plan = make_plan()
    item = Item.objects.get(plan=plan, title="Health check")
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    page_url = reverse("checklists:role", args=[plan.slug, "sre"])
    with time_machine.travel(T0 + 20 * M, tick=False):  # #1 (12:00) missed at 12:15
        page = client.get(page_url).content.decode()
        assert "Tick #1 late" in page and "Undo tick" not in page
        late = reverse("checklists:occurrence_tick", args=[plan.slug, "sre", item.pk, 0])
        row = client.post(late, headers={"HX-Request": "true"}).content.decode()
    assert "1 done" in row and "(1 late)" in row and "0 missed" in row and "Undo tick #1" in row
    with time_machine.travel(T0 + 21 * M, tick=False):
        undo = reverse("checklists:occurrence_untick", args=[plan.slug, "sre", item.pk, 0])
        row = client.post(undo, {"reason": "wrong one"}, headers={"HX-Request": "true"}).content.decode()
    assert "0 done" in row and "1 missed" in row and "Tick #1 late" in row
