"""A NUL character in a query parameter or a form's "back to" field is refused by PostgreSQL in a text value:
the pages that looked such a value up answered 500. They now treat it as absent (a filter not applied, the
role switch not followed, the way back to a safe page). Typed by nobody, sent by scanners and fuzzers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from issues.services import issue_open
from plans.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db
NUL = "a%00b"


@pytest.mark.parametrize(
    "path",
    [
        "roles/dba/?role=" + NUL,
        "timeline/?role=" + NUL,
        f"activity/?role={NUL}&kind={NUL}&page={NUL}",
        f"issues/?status={NUL}&severity={NUL}&category={NUL}&role={NUL}",
    ],
)
def test_a_page_ignores_a_filter_with_a_nul(client: Client, plan: Plan, coordinator: User, path: str) -> None:
    factories.RoleFactory(plan=plan, slug="dba", primary=coordinator)
    client.force_login(coordinator)
    assert client.get(f"/plans/{plan.slug}/{path}").status_code == 200


def test_the_comparison_ignores_a_plan_with_a_nul(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    assert client.get(f"/launches/compare/?plan={NUL}").status_code == 200


def test_a_way_back_with_a_nul_goes_somewhere_safe(client: Client, plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, slug="dba", primary=coordinator)
    issue = issue_open(plan, by=coordinator, title="Disk filling", severity="high", owner_role=role)
    client.force_login(coordinator)
    url = reverse("issues:acknowledge", args=[plan.slug, issue.number])
    response = client.post(url, {"back": "role", "role": "dba\x00"})
    assert response["Location"] == reverse("issues:detail", args=[plan.slug, issue.number])
    response = client.post(reverse("communications:hand_post", args=[plan.slug]), {"back": "dba\x00"})
    assert response["Location"] == reverse("communications:page", args=[plan.slug]) + "#by-hand"
