"""What repeats and who is on call, on the timeline (issue 16): a recurring check is one row with a mark per
occurrence (done, missed, to come), a band rather than a chain of steps; each role with a rota is one row
of shifts naming who is on call."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from checklists.models import Item
from checklists.services import item_occurrence_tick

from .helpers import T0, M, make_plan

pytestmark = pytest.mark.django_db


def test_the_timeline_draws_each_series_as_a_band_and_the_shifts() -> None:
    plan = make_plan()
    alice = User.objects.get(username="alice")
    with time_machine.travel(T0 + 2 * M, tick=False):
        item_occurrence_tick(Item.objects.get(plan=plan, title="Health check"), index=0, by=alice)
    client = Client()
    client.force_login(alice)
    with time_machine.travel(T0 + 40 * M, tick=False):
        page = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
    repeats = page.split('id="tl-repeats"', 1)[1].split('class="tl-overlay"', 1)[0]
    series = repeats.split('class="tl-row tl-series"', 1)[1].split('class="tl-row', 1)[0]
    assert "Health check" in series and "9×" in series and "1 done" in series and "1 missed" in series
    assert series.count('class="tl-occ occ-done"') == 1 and series.count("occ-missed") == 1
    assert series.count('class="tl-occ') == 9
    oncall = repeats.split('class="tl-row tl-oncall"', 1)[1]
    assert "Support Lead" in oncall and oncall.count('class="bar shift') == 14
    assert 'class="bar shift is-now"' in oncall and "Bob Doe (backup Carol Doe)" in oncall
    sre = client.get(reverse("plans:timeline", args=[plan.slug]) + "?role=qa").content.decode()
    assert 'id="tl-repeats"' not in sre  # QA has neither
