"""The home page lists every plan, theirs first (plans.selectors.plans_for); the plan page counts what a
re-baseline moves through the offset registry (plans.timing.count_dated)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from plans.selectors import plans_for
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

    from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_plans_for_lists_every_plan_theirs_first(
    coordinator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    me = factories.UserFactory(username="me")
    newest = factories.PlanFactory(name="Newest", t0=datetime(2027, 6, 1, tzinfo=UTC))
    coordinated = factories.PlanFactory(name="Coordinated", t0=datetime(2026, 1, 1, tzinfo=UTC), coordinator=me)
    backed_up = factories.PlanFactory(name="Backed up", t0=datetime(2026, 3, 1, tzinfo=UTC))
    factories.RoleFactory(plan=backed_up, primary=coordinator, backup=me)
    oldest = factories.PlanFactory(name="Oldest", t0=datetime(2025, 1, 1, tzinfo=UTC))
    with django_assert_num_queries(1):
        names = [p.name for p in plans_for(me)]
    assert names == [backed_up.name, coordinated.name, newest.name, oldest.name]
    # Someone with no plan of their own sees every plan, newest T-0 first.
    stranger = factories.UserFactory(username="stranger")
    assert [p.name for p in plans_for(stranger)] == ["Newest", "Backed up", "Coordinated", "Oldest"]


def test_the_home_page_shows_theirs_first(client: Client) -> None:
    me = factories.UserFactory(username="me")
    factories.PlanFactory(name="Someone else's", t0=datetime(2027, 6, 1, tzinfo=UTC))
    factories.PlanFactory(name="Mine", t0=datetime(2026, 1, 1, tzinfo=UTC), coordinator=me)
    client.force_login(me)
    html = client.get(reverse("launch:home")).content.decode()
    assert html.index("Mine") < html.index("Someone else&#x27;s")


def test_the_rebaseline_preview_counts_every_dated_row_of_the_apps_above(
    plan: Plan, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """plans counts the items, gates and messages that move with T-0 through the offset registry
    (plans.timing), without importing those apps, in one query."""
    from communications.models import Message
    from plans.models import Phase, Step
    from plans.timing import count_dated

    factories.ItemFactory(checklist__plan=plan, due_offset=timedelta(hours=-3))
    factories.ItemFactory(checklist__plan=plan, due_offset=None)
    factories.GateFactory(plan=plan, offset=timedelta(hours=-1))
    Message.objects.create(plan=plan, name="Go-live notice", offset=timedelta(0))
    factories.StepFactory(plan=plan, offset=timedelta(hours=-2))
    factories.ItemFactory(due_offset=timedelta(hours=-3))  # another plan's
    with django_assert_num_queries(1):
        assert count_dated(plan.pk, exclude=(Step, Phase)) == 3
