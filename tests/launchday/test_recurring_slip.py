"""A recurring item follows a hold like everything after it (checklists.series.times.moments): the hold pinned
the series' start and slipped its end, so the occurrences after the hold's start slip by its length, those
before stay, and the series keeps its number of occurrences (its grid kept the old times, and gained one)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from checklists.series.models import Recurrence
from checklists.series.times import series_moments
from tests import factories
from tests.launchday.test_series_slip import _hold

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

pytestmark = pytest.mark.django_db
M, H = timedelta(minutes=1), timedelta(hours=1)


@pytest.mark.parametrize("every", [15 * M, timedelta(days=1)])
def test_the_occurrences_after_the_hold_slip_and_none_is_added(plan: Plan, coordinator: User, every: timedelta) -> None:
    item = factories.ItemFactory(checklist__plan=plan, title="Check the dashboards")
    span = 2 * H if every < timedelta(days=1) else timedelta(days=2)
    rule = Recurrence.objects.create(plan=plan, item=item, every=every, start=-span / 2, until=span / 2)
    before = series_moments(plan, rule)
    hold_at = -span / 2 + every + every / 2  # after the second occurrence
    plan = _hold(plan, coordinator, hold_at, 30 * M)
    rule.refresh_from_db()
    after = series_moments(plan, rule)
    assert len(after) == len(before)
    assert after[:2] == before[:2]
    assert after[2:] == [moment + 30 * M for moment in before[2:]]
    assert after[-1] == plan.t0 + span / 2
