"""The review says a hold's length to the second, as the plan page does: a 45 s hold is "45s", not "0"
(review.report.text.held)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from plans.services import hold_end, hold_start
from review.report.text import held

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_held_keeps_the_seconds() -> None:
    assert held(timedelta(seconds=45)) == "45s"
    assert held(timedelta(minutes=2, seconds=27)) == "2m27s"
    assert held(timedelta(0)) == "0"
    assert held(None) == "—"


def test_the_review_and_the_plan_page_say_the_same_45s(client: Client, plan: Plan, coordinator: User) -> None:
    with time_machine.travel(plan.t0 - timedelta(hours=1), tick=False) as traveller:
        hold_start(plan, by=coordinator, reason="DNS check")
        traveller.shift(timedelta(seconds=45))
        hold_end(plan, by=coordinator)
    client.force_login(coordinator)
    assert (
        "T-0 slipped by <strong>45s</strong>" in client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    )
    page = client.get(reverse("review:page", args=[plan.slug])).content.decode()
    assert "1, 45s in all" in page and "0 in all" not in page
    assert re.search(r"<td[^>]*>45s</td><td[^>]*>45s</td><td[^>]*>DNS check</td>", page)  # its length and its slip
    markdown = client.get(reverse("review:markdown", args=[plan.slug])).content.decode()
    assert "1, 45s in all" in markdown and "| 45s | DNS check |" in markdown
