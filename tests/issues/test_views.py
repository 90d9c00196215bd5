from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.urls import reverse

from issues import services
from issues.models import Issue, IssueStatus, SeveritySLA
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

    from plans.models import Plan
    from roles.models import Role


class IssueSetup(TypedDict):
    owner: User
    role: Role


@pytest.fixture
def setup(plan: Plan) -> IssueSetup:
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", primary=owner)
    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(hours=1))
    return {"owner": owner, "role": role}


def test_list_raise_ack_resolve(
    client: Client, plan: Plan, setup: IssueSetup, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(setup["owner"])
    url = reverse("issues:list", args=[plan.slug])
    response = client.post(
        url, {"title": "Replica lag", "severity": "high", "owner_role": setup["role"].pk, "description": "30 s"}
    )
    assert response.status_code == 302
    issue = Issue.objects.get(plan=plan)
    assert issue.respond_by is not None
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.status_code == 200
    assert "Replica lag" in page.content.decode()
    assert client.post(reverse("issues:acknowledge", args=[plan.slug, issue.number])).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ACKNOWLEDGED
    client.post(reverse("issues:resolve", args=[plan.slug, issue.number]), {"resolution": "Failover"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED


def test_stranger_cannot_ack_or_raise(client: Client, plan: Plan, setup: IssueSetup) -> None:
    issue = services.issue_open(plan, by=setup["owner"], title="x", severity="high", owner_role=setup["role"])
    client.force_login(factories.UserFactory(username="stranger"))
    assert client.post(reverse("issues:acknowledge", args=[plan.slug, issue.number])).status_code == 403
    page = client.get(reverse("issues:list", args=[plan.slug]))
    assert "Raise an issue" not in page.content.decode()
    client.post(reverse("issues:list", args=[plan.slug]), {"title": "y", "severity": "high"})
    assert Issue.objects.filter(plan=plan).count() == 1


def test_list_needs_login(client: Client, plan: Plan) -> None:
    response = client.get(reverse("issues:list", args=[plan.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "selected"), [("", "medium"), ("?severity=high", "high"), ("?severity=bogus", "medium")]
)
def test_the_raise_form_starts_at_medium_unless_a_link_asks(
    client: Client, plan: Plan, setup: IssueSetup, query: str, selected: str
) -> None:
    """It opened on Critical (the first choice: the view's initial of None beat the form's Medium), so a hasty
    raise started a 15-minute SLA and drafted a public incident."""
    import re

    client.force_login(setup["owner"])
    page = client.get(reverse("issues:raise", args=[plan.slug]) + query).content.decode()
    chosen = re.findall(r'<option value="(\w+)"[^>]*selected', page)
    assert chosen[:1] == [selected]
