"""The home page's card counts a recurring item by its current occurrence (issue 16): open while an
occurrence is due, not open between occurrences, done once the series is over; never open forever."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from checklists.cards import my_role_cards
from checklists.models import Item
from checklists.services import item_occurrence_tick

from .helpers import T0, H, M, make_plan

pytestmark = pytest.mark.django_db


def _sre(at: datetime) -> tuple[int, int, int]:
    alice = User.objects.get(username="alice")
    with time_machine.travel(at, tick=False):
        card = next(r for r in my_role_cards(alice) if r.slug == "sre")
    return card.open_items, card.done_items, card.total_items  # type: ignore[attr-defined]


def test_the_card_counts_the_series_by_its_current_occurrence() -> None:
    plan = make_plan()
    item = Item.objects.get(plan=plan, title="Health check")
    assert _sre(T0 - H) == (0, 0, 1)  # not begun: nothing to do yet
    assert _sre(T0 + 2 * M) == (1, 0, 1)  # #1 due
    with time_machine.travel(T0 + 2 * M, tick=False):
        item_occurrence_tick(item, index=0, by=User.objects.get(username="alice"))
    assert _sre(T0 + 3 * M) == (1, 0, 1)  # #1 ticked; #2 (12:15) is within the reminder lead: due soon
    assert _sre(T0 + 3 * H) == (0, 1, 1)  # the series is over
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    with time_machine.travel(T0 + 3 * H, tick=False):
        page = client.get(reverse("launch:home")).content.decode()
    assert "1 of 1 items done" in page and "0 open" in page
