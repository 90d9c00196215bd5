"""plans.viewtools.member_plan: a view of one plan gets the Plan its URL names, found as plan_for finds it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from plans.models import Plan
from plans.selectors import DatesOutOfRange
from plans.viewtools import member_plan

pytestmark = pytest.mark.django_db


@member_plan
def page(request: HttpRequest, plan: Plan, pk: int) -> HttpResponse:
    return HttpResponse(f"{plan.pk}:{plan.slug}:{pk}")


@member_plan(allow_out_of_range=True)
def lenient_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    return HttpResponse(plan.slug)


def _request(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_view_gets_the_plan_and_its_other_arguments(plan: Plan, coordinator: User) -> None:
    response = page(_request(coordinator), plan=plan.slug, pk=7)
    assert response.content.decode() == f"{plan.pk}:{plan.slug}:7"
    assert page.__name__ == "page"  # functools.wraps: URL names and logs still see the view


def test_an_unknown_plan_or_an_anonymous_viewer_is_a_404(plan: Plan, coordinator: User) -> None:
    with pytest.raises(Http404):
        page(_request(coordinator), plan="no-such-plan", pk=1)
    with pytest.raises(Http404):
        page(_request(AnonymousUser()), plan=plan.slug, pk=1)


def test_a_plan_out_of_range_raises_unless_allowed(plan: Plan, coordinator: User) -> None:
    Plan.objects.filter(pk=plan.pk).update(t0=datetime(1990, 1, 1, tzinfo=UTC))
    with pytest.raises(DatesOutOfRange):
        page(_request(coordinator), plan=plan.slug, pk=1)
    assert lenient_page(_request(coordinator), plan=plan.slug).content.decode() == plan.slug
