"""A launch after T-0 (``plans.services.plan_launch``, ``move_t0``): the coordinator declares the launch 20 minutes
after T-0. Unslipped, everything planned after T-0 (the smoke test at T+15m) was late the moment the launch began.
With the slip (the confirmation's box, ticked by default), T-0 moves to the launch and what was planned after T-0
with it, as a hold from T-0 to the launch would have; what was planned before T-0 stays where it was. It is recorded
as that hold ("Launched late"), so the plan's holds, the "slipped by" figure and the offsets as planned count it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from plans import services as ps
from plans.lateness import is_late, item_late_from
from plans.models import Event, Hold, Plan, PlanStatus
from plans.slips import planned_label, slipped_by
from tests import factories
from warroom import views as board_views

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Item

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _plan(coordinator: User) -> tuple[Plan, Item, Item]:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    before = factories.ItemFactory(checklist__plan=plan, title="Backups verified", due_offset=-60 * M)
    after = factories.ItemFactory(checklist__plan=plan, title="Smoke test", due_offset=15 * M)
    return plan, before, after


def _due(plan: Plan, item: Item) -> datetime | None:
    plan.refresh_from_db()
    item.refresh_from_db()
    return item_late_from(plan, item.due_offset)


def test_a_late_launch_slips_t0_and_what_comes_after_it(coordinator: User) -> None:
    plan, before, after = _plan(coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        ps.plan_launch(plan, by=coordinator, move_t0=True)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.LAUNCHED and plan.t0 == T0 + 20 * M
        late_from = _due(plan, after)
        assert late_from == T0 + 35 * M  # due 15 minutes after the launch
        assert not is_late(T0 + 20 * M, late_from)  # not late the moment the launch began
        assert _due(plan, before) == T0 - 60 * M  # what was before T-0 stays where it was
        assert after.due_offset is not None and before.due_offset is not None
        assert planned_label(plan, after.due_offset) == "T+15m" and planned_label(plan, before.due_offset) == "T-1h"
        hold = Hold.objects.get(plan=plan)
        assert (hold.started_at, hold.ended_at, hold.slip) == (T0, T0 + 20 * M, 20 * M)
        assert hold.reason == ps.LATE_REASON and slipped_by(plan) == 20 * M
        event = Event.objects.get(plan=plan, kind="plan.launched_late")
        assert event.summary.startswith("Launched 20m after T-0: T-0 slips to") and event.actor == coordinator
        assert re.search(r'id="wr-clock"[^>]*>T\+00:00:00<', board_views.render_board(plan))


def test_within_five_minutes_or_unticked_t0_stays(coordinator: User) -> None:
    plan, _, after = _plan(coordinator)
    with time_machine.travel(T0 + 4 * M, tick=False):
        ps.plan_launch(plan, by=coordinator, move_t0=True)
    plan.refresh_from_db()
    assert plan.t0 == T0 and not Hold.objects.filter(plan=plan).exists()

    kept, _, after = _plan(coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        ps.plan_launch(kept, by=coordinator, move_t0=False)
        assert _due(kept, after) == T0 + 15 * M and is_late(T0 + 20 * M, _due(kept, after))
    assert kept.t0 == T0 and not Event.objects.filter(plan=kept, kind="plan.launched_late").exists()


def test_the_confirmation_offers_the_slip_and_only_the_coordinator_launches(
    coordinator: User, client: Client, django_user_model: type[User]
) -> None:
    plan, _, _ = _plan(coordinator)
    other = factories.UserFactory(username="dba")
    factories.RoleFactory(plan=plan, name="DBA", primary=other)
    url = reverse("plans:transition", kwargs={"plan": plan.slug})
    with time_machine.travel(T0 + 2 * M, tick=False):
        client.force_login(coordinator)
        assert 'id="launch-late"' not in client.get(f"/plans/{plan.slug}/").content.decode()
    with time_machine.travel(T0 + 20 * M, tick=False):
        page = client.get(f"/plans/{plan.slug}/").content.decode()
        assert "T-0 was 20\xa0minutes ago" in page and 'id="launch-slip-t0"' in page
        client.force_login(other)
        assert client.post(url, {"to": "launched", "move_t0": "1"}).status_code == 403
        plan.refresh_from_db()
        assert plan.status == PlanStatus.COUNTDOWN and plan.t0 == T0
        client.force_login(coordinator)
        response = client.post(url, {"to": "launched", "move_t0": "1"}, follow=True)
        assert "T-0 slipped to now: it launched late." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED and plan.t0 == T0 + 20 * M


def test_a_double_click_on_the_late_launch_slips_once(coordinator: User, client: Client) -> None:
    plan, _, _ = _plan(coordinator)
    url = reverse("plans:transition", kwargs={"plan": plan.slug})
    client.force_login(coordinator)
    with time_machine.travel(T0 + 20 * M, tick=False):
        client.post(url, {"to": "launched", "move_t0": "1"})
    with time_machine.travel(T0 + 20 * M + timedelta(seconds=1), tick=False):
        second = client.post(url, {"to": "launched", "move_t0": "1"}, follow=True).content.decode()
    assert "cannot go from Launched to Launched" in second
    plan.refresh_from_db()
    assert plan.t0 == T0 + 20 * M and Hold.objects.filter(plan=plan).count() == 1
