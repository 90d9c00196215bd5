"""The home page, the plan page and the board count the same way and say what they count (README: "done"
counts checklist items done or skipped; steps apart): on the demo the board said "59/102 done" (items and
steps mixed) beside the home page's "48 of 83 items" and the plan page's "11 of 19 steps"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from checklists.models import Item, ItemStatus
from launch.services.demo import PEOPLE, demo_plan
from plans.models import Step, StepStatus
from tests import factories

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_plan_page_and_board_agree_on_the_demo(client: Client) -> None:
    coordinator = factories.UserFactory(username="coordinator")
    people = {name: factories.UserFactory(username=name) for name in PEOPLE}
    plan = demo_plan(coordinator, people)
    items = Item.objects.filter(plan=plan)
    items_done = items.exclude(status=ItemStatus.OPEN).count()
    steps = Step.objects.filter(plan=plan, recurring=False)
    steps_done = steps.filter(status__in=[StepStatus.DONE, StepStatus.SKIPPED]).count()
    assert 0 < items_done < items.count() and 0 < steps_done < steps.count()  # a launch part-way done

    client.force_login(coordinator)
    text = {
        name: " ".join(re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).split())
        for name, url in {
            "home": reverse("launch:home"),
            "plan": reverse("plans:detail", args=[plan.slug]),
            "board": reverse("warroom:board", args=[plan.slug]),
        }.items()
    }
    assert f"{items_done} of {items.count()} items done" in text["home"]
    assert f"{items_done} of {items.count()} checklist items done" in text["plan"]
    assert f"{steps_done} of {steps.count()} steps done" in text["plan"]
    assert (
        f"Who owns what {items_done}/{items.count()} items · {steps_done}/{steps.count()} steps done" in text["board"]
    )
