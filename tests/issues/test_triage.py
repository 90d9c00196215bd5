"""Triage (issues.services.triage): an issue's severity, role, category, step and risk can be corrected
after the raise, by whoever may handle it; a new severity re-times an unanswered issue's SLA; every change
is one logged event; a closed issue and another plan's objects are refused; the page offers the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from issues import services
from issues.models import Issue, IssueStatus, SeveritySLA
from plans.models import Event, Step
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.fixture
def issue(plan: Plan, coordinator: User) -> Issue:
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=5 * M)
    SeveritySLA.objects.create(plan=plan, severity="medium", response_within=30 * M)
    with time_machine.travel(NOW, tick=False):
        return services.issue_open(plan, by=coordinator, title="Slow checkout", severity="medium")


def test_a_handler_corrects_the_issue_and_one_event_names_each_change(
    plan: Plan, coordinator: User, issue: Issue
) -> None:
    dba = factories.RoleFactory(plan=plan, name="DBA")
    step = Step.objects.create(plan=plan, name="Migrate orders", offset=timedelta(0))
    with time_machine.travel(NOW + 2 * M, tick=False):
        services.issue_triage(issue, by=coordinator, severity="critical", owner_role=dba, step=step)
    issue.refresh_from_db()
    assert (issue.severity, issue.owner_role, issue.step) == ("critical", dba, step)
    assert issue.respond_by == NOW + 5 * M  # the critical SLA, counted from the report
    event = Event.objects.get(plan=plan, kind="issue.triaged")
    assert event.summary == (
        "Changed #1 Slow checkout: severity Medium → Critical; role coordinator → DBA; step none → Migrate orders"
    )
    services.issue_triage(issue, by=coordinator, severity="critical", owner_role=dba)  # nothing differs
    assert Event.objects.filter(kind="issue.triaged").count() == 1


def test_an_answered_issue_keeps_its_response_deadline(plan: Plan, coordinator: User, issue: Issue) -> None:
    services.issue_acknowledge(issue, by=coordinator)
    before = Issue.objects.get(pk=issue.pk).respond_by
    services.issue_triage(issue, by=coordinator, severity="critical")
    assert Issue.objects.get(pk=issue.pk).respond_by == before


def test_only_a_handler_may_triage_and_not_a_closed_issue(plan: Plan, coordinator: User, issue: Issue) -> None:
    holder = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="QA", primary=holder)
    with pytest.raises(PermissionDenied):
        services.issue_triage(issue, by=holder, severity="low")
    other_plan_step = Step.objects.create(plan=factories.PlanFactory(), name="Elsewhere", offset=timedelta(0))
    with pytest.raises(ValidationError, match="another plan"):
        services.issue_triage(issue, by=coordinator, step=other_plan_step)
    services.issue_resolve(issue, by=coordinator, resolution="Index added", root_cause="Missing index")
    services.issue_close(issue, by=coordinator)
    with pytest.raises(services.IssueConflict, match="closed"):
        services.issue_triage(issue, by=coordinator, severity="low")
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.CLOSED


def test_the_detail_page_offers_triage_to_a_handler_and_posts_it(
    client: Client, plan: Plan, coordinator: User, issue: Issue
) -> None:
    client.force_login(coordinator)
    url = reverse("issues:detail", args=[plan.slug, issue.number])
    page = client.get(url).content.decode()
    assert "Change severity, role, step or risk" in page and 'name="severity"' in page
    response = client.post(reverse("issues:triage", args=[plan.slug, issue.number]), {"severity": "critical"})
    assert response.status_code == 302
    assert Issue.objects.get(pk=issue.pk).severity == "critical"
    stranger_role_holder = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="Support", primary=stranger_role_holder)
    client.force_login(stranger_role_holder)
    assert "Change severity" not in client.get(url).content.decode()
    post = client.post(reverse("issues:triage", args=[plan.slug, issue.number]), {"severity": "low"})
    assert post.status_code == 403
