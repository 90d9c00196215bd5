"""The home page lists every plan, theirs first (plans.selectors.plans_for); the plan page counts what a
re-baseline moves through the offset registry (plans.timing.count_dated)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.test import Client
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


def test_counts_agree_between_home_card_and_role_page(client: Client) -> None:
    """Issue 11, finding 14: "done" is one thing everywhere: the role's checklist items done or skipped,
    out of all its items; the steps it leads are counted apart on the role page, never mixed in."""
    me = factories.UserFactory(username="me")
    plan = factories.PlanFactory(name="Counting", slug="counting")
    role = factories.RoleFactory(plan=plan, slug="dba", primary=me)
    checklist = factories.ChecklistFactory(plan=plan, role=role)
    for status in ("done", "done", "skipped", "open"):
        factories.ItemFactory(checklist=checklist, status=status, due_offset=timedelta(hours=1))
    factories.StepFactory(plan=plan, lead_role=role, status="done")
    client.force_login(me)
    home = client.get(reverse("launch:home")).content.decode()
    page = client.get(reverse("checklists:role", args=[plan.slug, role.slug])).content.decode()
    assert "3 of 4 items done" in home
    assert "3 of 4 items done" in page
    assert "Steps:" in page  # the done step is counted on its own line


def test_the_coordinator_home_lists_their_plans_and_same_names_differ(client: Client) -> None:
    """Issue 11, finding 14: the coordinator's plans are on their home page (not "You hold no role"),
    and two plans with the same name are told apart by slug and T-0."""
    me = factories.UserFactory(username="me")
    factories.PlanFactory(name="Go-live", slug="go-live-eu", coordinator=me, t0=datetime(2027, 1, 5, 9, tzinfo=UTC))
    factories.PlanFactory(name="Go-live", slug="go-live-us", t0=datetime(2027, 1, 6, 15, tzinfo=UTC))
    client.force_login(me)
    html = client.get(reverse("launch:home")).content.decode()
    assert "Plans you coordinate" in html
    assert "You hold no role in any plan yet" not in html
    assert html.index("go-live-eu") < html.index("<h1>My roles")
    assert "go-live-us" in html and "Tue 5 Jan 2027" in html and "Wed 6 Jan 2027" in html


def test_the_cards_say_what_is_late_now_and_the_coordinators_open_issues(client: Client) -> None:
    """A role card says how many of its items are late (plans.lateness: from their due time on); the card of a
    plan one coordinates says its items done, late and its open issues, the urgent ones apart."""
    import time_machine

    from issues.services import issue_open

    me = factories.UserFactory(username="me")
    t0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    plan = factories.PlanFactory(name="Cards", slug="cards", coordinator=me, t0=t0)
    role = factories.RoleFactory(plan=plan, slug="dba", primary=me)
    checklist = factories.ChecklistFactory(plan=plan, role=role)
    for hours, status in ((-3, "open"), (-2, "open"), (-1, "done"), (1, "open")):
        factories.ItemFactory(checklist=checklist, status=status, due_offset=timedelta(hours=hours))
    other = factories.RoleFactory(plan=plan, slug="qa")
    factories.ItemFactory(checklist=factories.ChecklistFactory(plan=plan, role=other), due_offset=-timedelta(hours=3))
    issue_open(plan, by=me, title="Replica lag", severity="high")
    issue_open(plan, by=me, title="Slow thumbnails", severity="low")
    client.force_login(me)
    with time_machine.travel(t0 - timedelta(hours=2, minutes=-1), tick=False):  # T-2h+1m: two of mine are late
        html = " ".join(client.get(reverse("launch:home")).content.decode().split())
    assert '1 of 4 items done</span> · 3 open · <span class="badge state-late">2 late</span>' in html
    assert '1 of 5 items done</span> · <span class="badge state-late">3 late</span>' in html
    assert '2 open issues</a> <span class="badge state-overdue">1 critical or high</span>' in html
    with time_machine.travel(t0 - timedelta(hours=2, minutes=-1), tick=False):  # the plan's head says the same
        head = " ".join(client.get(reverse("plans:detail", args=["cards"])).content.decode().split())
    late = '<span class="badge state-late" id="progress-late">3 late</span>'
    assert f"<strong>1</strong> of 5 checklist items done (20 %) {late}" in head
    with time_machine.travel(t0 - timedelta(hours=4), tick=False):  # nothing is late yet
        html = client.get(reverse("launch:home")).content.decode()
    assert "state-late" not in html
