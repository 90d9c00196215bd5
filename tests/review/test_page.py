"""The review page: anyone in the plan reads it; only the coordinator writes lessons and follow-up actions,
and a follow-up action becomes an item of the follow-up checklist, owned by its role, due by the end
of its date in the plan's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from checklists.models import Checklist, ItemStatus
from plans.models import Event, Plan
from review import services
from review.models import FollowUp, Lesson
from review.services import FOLLOW_UP_CHECKLIST
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(coordinator: User) -> Plan:
    return factories.PlanFactory(
        coordinator=coordinator, t0=datetime(2026, 10, 20, 11, 0, tzinfo=UTC), timezone="Europe/London"
    )


def test_the_page_reads_for_a_role_holder_without_the_forms(london: Plan) -> None:
    holder = factories.UserFactory()
    factories.RoleFactory(plan=london, primary=holder)
    factories.StepFactory(plan=london, name="Cut over <DNS>")
    client = Client()
    client.force_login(holder)
    page = client.get(f"/plans/{london.slug}/review/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Cut over &lt;DNS&gt;" in body and "Cut over <DNS>" not in body
    assert "Add lesson" not in body and "Add action" not in body
    for export in ("review.md", "review.pdf", "review-data.zip", "decisions.csv"):
        assert f"/plans/{london.slug}/{export}" in body


def test_the_coordinator_adds_and_removes_a_lesson(london: Plan, coordinator: User) -> None:
    client = Client()
    client.force_login(coordinator)
    assert "Add lesson" in client.get(f"/plans/{london.slug}/review/").content.decode()
    response = client.post(f"/plans/{london.slug}/review/lessons/", {"kind": "went_well", "text": "The rehearsal"})
    assert response.status_code == 302
    lesson = Lesson.objects.get(plan=london)
    assert (lesson.kind, lesson.text, lesson.created_by) == ("went_well", "The rehearsal", coordinator)
    assert Event.objects.filter(plan=london, kind="review.lesson_added").count() == 1
    client.post(f"/plans/{london.slug}/review/lessons/{lesson.pk}/delete/")
    assert not Lesson.objects.filter(plan=london).exists()


def test_a_follow_up_action_is_a_checklist_item(london: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=london, name="DBA")
    client = Client()
    client.force_login(coordinator)
    data = {"title": "Automate the row count check", "owner_role": role.pk, "due_date": "2026-11-03"}
    assert client.post(f"/plans/{london.slug}/review/follow-ups/", data).status_code == 302
    follow_up = FollowUp.objects.get(plan=london)
    item = follow_up.item
    assert item is not None and item.checklist.name == FOLLOW_UP_CHECKLIST
    assert (item.title, item.owner_role, item.status) == ("Automate the row count check", role, ItemStatus.OPEN)
    # due by the end of 3 November in London (GMT by then; T-0 was in BST): midnight UTC
    assert item.due_at() == datetime(2026, 11, 4, 0, 0, tzinfo=UTC)
    services.followup_add(london, by=coordinator, title="Second", owner_role=role, due_date=date(2026, 11, 5))
    assert Checklist.objects.filter(plan=london, name=FOLLOW_UP_CHECKLIST).count() == 1  # one checklist
    assert [i.title for i in Checklist.objects.get(plan=london, name=FOLLOW_UP_CHECKLIST).items.order_by("order")] == [
        "Automate the row count check",
        "Second",
    ]


def test_bad_input_and_other_people_change_nothing(london: Plan, coordinator: User) -> None:
    other_role = factories.RoleFactory(plan=factories.PlanFactory())
    holder = factories.UserFactory()
    role = factories.RoleFactory(plan=london, primary=holder)
    with pytest.raises(PermissionDenied):
        services.lesson_add(london, by=holder, kind="improve", text="x")
    with pytest.raises(PermissionDenied):
        services.followup_add(london, by=holder, title="x", owner_role=role, due_date=date(2026, 11, 1))
    client = Client()
    client.force_login(coordinator)
    client.post(
        f"/plans/{london.slug}/review/follow-ups/", {"title": "x", "owner_role": other_role.pk, "due_date": "x"}
    )
    client.post(f"/plans/{london.slug}/review/lessons/", {"kind": "improve", "text": "   "})
    assert not FollowUp.objects.exists() and not Lesson.objects.exists()
