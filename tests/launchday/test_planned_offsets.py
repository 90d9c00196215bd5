"""After a hold, offsets read as planned on every page (plans.slips): the step page and the "Affected step"
choices of the raise dialog, the raise page, the issues page and an issue's triage say ``T-7d``, not the
stored ``T-7d2m27s`` a hold pinned."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django import forms
from django.urls import reverse

from issues.forms import IssueForm
from plans.services import hold_end, hold_start
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan, Step

pytestmark = pytest.mark.django_db
SLIP = timedelta(minutes=2, seconds=27)


@pytest.fixture
def held(plan: Plan, coordinator: User) -> list[Step]:
    """Two steps planned before a hold of 2m27s at T-1h45m: both pinned, their stored offsets grown."""
    early = factories.StepFactory(plan=plan, name="Infrastructure preparation", offset=timedelta(days=-7))
    late = factories.StepFactory(plan=plan, name="Final smoke test", offset=timedelta(hours=-2))
    with time_machine.travel(plan.t0 - timedelta(hours=1, minutes=45), tick=False) as traveller:
        hold_start(plan, by=coordinator, reason="CDN purge")
        traveller.shift(SLIP)
        hold_end(plan, by=coordinator)
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.offset == timedelta(days=-7) - SLIP and late.offset == timedelta(hours=-2) - SLIP  # pinned
    return [early, late]


def test_the_affected_step_choices_read_as_planned(plan: Plan, held: list[Step]) -> None:
    plan.refresh_from_db()
    field = IssueForm(plan=plan).fields["step"]
    assert isinstance(field, forms.ModelChoiceField)
    labels = [field.label_from_instance(step) for step in field.queryset]  # type: ignore[union-attr]
    assert labels == ["T-7d Infrastructure preparation", "T-2h Final smoke test"]


def test_the_step_page_reads_as_planned(client: Client, plan: Plan, held: list[Step], coordinator: User) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("plans:step", args=[plan.slug, held[1].pk])).content.decode()
    assert '<span class="mono">T-2h</span>' in page
    assert "2m27s" not in page


def test_every_issue_page_lists_the_steps_as_planned(
    client: Client, plan: Plan, held: list[Step], coordinator: User
) -> None:
    issue = factories.IssueFactory(plan=plan, step=held[0])
    client.force_login(coordinator)
    urls = [
        reverse("issues:raise", args=[plan.slug]),
        reverse("issues:list", args=[plan.slug]),
        reverse("issues:detail", args=[plan.slug, issue.number]),
        reverse("plans:detail", args=[plan.slug]),  # the raise dialog on every plan page
    ]
    shown = 0
    for url in urls:
        page = client.get(url).content.decode()
        if "Affected step" not in page:
            continue
        shown += 1
        assert ">T-7d Infrastructure preparation</option>" in page, url
        assert "T-7d2m27s" not in page and "T-2h2m27s" not in page, url
    assert shown >= 3  # the raise page, the issues page's form, the issue's triage
    page = client.get(reverse("issues:raise", args=[plan.slug]), HTTP_HX_REQUEST="true").content.decode()
    assert ">T-2h Final smoke test</option>" in page and "2m27s" not in page
