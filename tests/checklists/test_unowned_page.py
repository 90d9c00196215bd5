"""What the plan gives to no role has a page too: the coordinator works it there; others read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from checklists.models import ItemStatus
from plans.models import StepStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Item
    from plans.models import Plan, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def unowned(plan: Plan) -> tuple[Item, Step, Item]:
    item = factories.ItemFactory(
        checklist__plan=plan, checklist__role=None, owner_role=None, title="Remove maintenance mode"
    )
    step = factories.StepFactory(plan=plan, lead_role=None, name="Public launch")
    owned = factories.ItemFactory(checklist__plan=plan, title="Owned elsewhere")
    return item, step, owned


def test_unowned_page_lists_only_unowned_work(
    client: Client, plan: Plan, coordinator: User, unowned: tuple[Item, Step, Item]
) -> None:
    item, step, owned = unowned
    client.force_login(coordinator)
    page = client.get(reverse("checklists:role", args=[plan.slug, "_unowned"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Remove maintenance mode" in html and "Public launch" in html
    assert "Owned elsewhere" not in html


def test_coordinator_ticks_and_runs_unowned_work_others_get_403(
    client: Client, plan: Plan, coordinator: User, unowned: tuple[Item, Step, Item]
) -> None:
    item, step, _ = unowned
    url = reverse("checklists:item_set", args=[plan.slug, "_unowned", item.pk])
    client.force_login(factories.UserFactory())
    assert client.post(url, {"status": "done", "version": item.version}).status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN

    client.force_login(coordinator)
    response = client.post(url, {"status": "done", "version": item.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    client.post(reverse("checklists:step_start", args=[plan.slug, "_unowned", step.pk]), HTTP_HX_REQUEST="true")
    step.refresh_from_db()
    assert step.status == StepStatus.IN_PROGRESS
