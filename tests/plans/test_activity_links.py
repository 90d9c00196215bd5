"""The activity log links each row to what its event is about (plans.event_links): an issue's row opens the
issue (by its number), a gate's the gate, a step's the step, a reading's its metric's readings, a message's
(approved, posted by hand) its preview. What names
nothing, names something no longer there, or names another plan's does not link. One query a kind of
subject on the page, however many rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.db import transaction
from django.urls import reverse

from checklists.services import gate_open_poll, step_start
from issues.models import Issue
from issues.services import issue_open
from plans.models import Event
from plans.services import event_record, reading_record
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

    from plans.models import Plan

pytestmark = pytest.mark.django_db


def _row(html: str, summary: str) -> str:
    """The Details cell of the row whose summary starts so."""
    return html.split(summary, 1)[0].rsplit('<td class="ev-what">', 1)[1]


def _log(client: Client, plan: Plan, query: str = "") -> str:
    return client.get(reverse("plans:activity", args=[plan.slug]) + query).content.decode()


def test_each_row_opens_what_it_is_about(client: Client, plan: Plan, coordinator: User) -> None:
    dba = factories.RoleFactory(plan=plan, name="DBA", primary=coordinator)
    issue_open(plan, by=coordinator, title="First", severity="low")
    issue = issue_open(plan, by=coordinator, title="Replication lag", severity="high", owner_role=dba)
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go", authority_role=dba)
    gate.polled_roles.set([dba])
    gate_open_poll(gate, by=coordinator)
    step = factories.StepFactory(plan=plan, name="Database preparation", lead_role=dba)
    step_start(step, by=coordinator)
    metric = factories.MetricFactory(plan=plan, name="Error rate")
    reading_record(metric, value=Decimal("0.2"), by=coordinator)
    from communications.models import Message
    from communications.services import message_approve

    message = Message.objects.create(
        plan=plan, name="Launch email", offset=timedelta(hours=-1), body="Soon", requires_approval=True
    )
    message_approve(message, by=coordinator)
    with transaction.atomic():  # a handoff's event names its step by word: nothing to link
        event_record(plan, kind="handoff.proposed", summary="Proposed to operations", data={"step": "proposed"})
    client.force_login(coordinator)
    html = _log(client, plan)
    assert issue.number == 2
    assert f'<a href="/plans/{plan.slug}/issues/2/">High issue #2: Replication lag' in html
    assert f'<a href="/plans/{plan.slug}/gates/go-no-go/">Go/no-go poll opened for Go/No-Go' in html
    assert f'<a href="/plans/{plan.slug}/steps/{step.pk}/">Started “Database preparation”' in html
    assert f'<a href="/plans/{plan.slug}/metrics/{metric.pk}/readings/">Error rate: 0.2' in html
    assert "<a" not in _row(html, "Proposed to operations")
    assert f'href="/plans/{plan.slug}/communications/messages/{message.pk}/preview/"' in _row(html, "Launch email")


def test_what_is_gone_or_another_plans_links_nowhere(client: Client, plan: Plan, coordinator: User) -> None:
    other = factories.PlanFactory(coordinator=coordinator)
    elsewhere = issue_open(other, by=coordinator, title="Elsewhere", severity="low")
    gone = issue_open(plan, by=coordinator, title="Raised by mistake", severity="low")
    Issue.objects.filter(pk=gone.pk).delete()  # (deleted in the admin)
    with transaction.atomic():  # an event naming another plan's issue (as a forged or stale id would)
        event_record(plan, kind="issue.triaged", summary="Not this plan's", data={"issue": elsewhere.pk})
    client.force_login(coordinator)
    html = _log(client, plan)
    assert "<a" not in _row(html, "Low issue #1: Raised by mistake")
    assert "<a" not in _row(html, "Not this plan's")


def test_the_links_cost_one_query_a_kind_of_subject(
    client: Client, plan: Plan, coordinator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(coordinator)
    with transaction.atomic():
        for n in range(3):
            event_record(plan, kind="note", summary=f"Note {n}")
    url = reverse("plans:activity", args=[plan.slug])
    client.get(url)  # (the session's first read)
    with django_assert_num_queries(7) as plain:  # as tests/checklists/test_query_counts.py pins the page
        client.get(url)
    metric = factories.MetricFactory(plan=plan, name="Error rate")
    for n in range(20):
        reading_record(metric, value=Decimal(n), by=coordinator)
        issue_open(plan, by=coordinator, title=f"Issue {n}", severity="low")
    with django_assert_num_queries(len(plain.captured_queries) + 2):  # the issues' numbers, the metrics
        html = client.get(url).content.decode()
    assert html.count("/issues/") >= 20 and html.count("/readings/") >= 20
    assert Event.objects.filter(plan=plan).count() >= 43
