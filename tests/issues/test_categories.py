"""Issue categories (issue 16): declared by the plan file, chosen when raising an issue, filtering the issues
page; validated with their line, exported and read back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from issues import services
from issues.models import Issue, IssueCategory
from launch.format import normalise, parse_plan_text
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

pytestmark = pytest.mark.django_db

PLAN = """\
name: Categorised
roles:
  - name: Support Lead
    primary: sam
issue_categories:
  - Performance
  - Mobile app
"""


@pytest.fixture
def sam(db: None) -> User:
    return factories.UserFactory(username="sam")


@pytest.fixture
def categorised(sam: User, coordinator: User) -> Plan:
    return import_plan_text(PLAN, filename="c.yaml", t0="2026-12-01T12:00", tz="UTC", coordinator=coordinator)


def test_categories_import_export_and_round_trip(categorised: Plan) -> None:
    names = list(IssueCategory.objects.filter(plan=categorised).values_list("name", flat=True))
    assert names == ["Performance", "Mobile app"]
    exported = export_plan(categorised)
    assert "issue_categories:\n  - Performance\n  - Mobile app\n" in exported
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(PLAN).doc)


def test_a_plan_without_categories_exports_none(plan: Plan) -> None:
    assert "issue_categories" not in export_plan(plan)


def test_duplicate_and_overlong_categories_are_errors_with_their_line() -> None:
    text = PLAN + "  - performance\n  - " + "x" * 81 + "\n"
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="c.yaml", t0="2026-12-01T12:00", tz="UTC")
    lines = exc.value.lines()
    assert "c.yaml:8: duplicate issue category 'performance'" in lines
    assert "c.yaml:9: issue_categories[3]: at most 80 characters (this has 81)" in lines
    assert not IssueCategory.objects.exists()


def test_raise_with_a_category_and_filter_the_page(client: Client, categorised: Plan, sam: User) -> None:
    mobile = IssueCategory.objects.get(plan=categorised, name="Mobile app")
    client.force_login(sam)
    url = reverse("issues:list", args=[categorised.slug])
    page = client.get(url).content.decode()
    assert '<select name="category"' in page and ">Mobile app</option>" in page  # the raise form's select
    assert 'id="issue-filter"' in page and 'id="category-select"' in page  # the filters
    response = client.post(url, {"title": "App crashes on login", "severity": "high", "category": mobile.pk})
    assert response.status_code == 302
    assert Issue.objects.get(plan=categorised).category == mobile
    services.issue_open(categorised, by=sam, title="Slow dashboard", severity="medium")
    filtered = client.get(url, {"category": mobile.pk}).content.decode()
    assert "App crashes on login" in filtered and "Slow dashboard" not in filtered
    assert 'class="badge category">Mobile app<' in filtered
    everything = client.get(url, {"category": "nonsense"}).content.decode()
    assert "App crashes on login" in everything and "Slow dashboard" in everything


def test_a_category_of_another_plan_is_refused(categorised: Plan, sam: User, coordinator: User) -> None:
    other = factories.PlanFactory(coordinator=coordinator)
    foreign = IssueCategory.objects.create(plan=other, name="Elsewhere")
    with pytest.raises(ValidationError):
        services.issue_open(categorised, by=sam, title="x", severity="low", category=foreign)


def test_the_form_refuses_a_category_of_another_plan(client: Client, categorised: Plan, sam: User) -> None:
    foreign = IssueCategory.objects.create(plan=factories.PlanFactory(), name="Elsewhere")
    client.force_login(sam)
    url = reverse("issues:list", args=[categorised.slug])
    response = client.post(url, {"title": "x", "severity": "high", "category": foreign.pk})
    assert response.status_code == 200 and not Issue.objects.exists()


def test_no_category_select_when_the_plan_declares_none(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("issues:list", args=[plan.slug])).content.decode()
    assert 'name="category"' not in page
