"""A recurrence added in the admin makes its step recurring (and a removed one makes it a step again), and
the admin refuses a step that is in a chain of steps, as the plan file's checks do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from checklists.models import Recurrence
from launch.services.importer import import_plan_text
from plans.models import Plan, Step

if TYPE_CHECKING:
    from django.test import Client


TEXT = """format: 1
name: Admin recurrence
timezone: Europe/London
roles:
  - name: SRE
  - name: QA
phases:
  - name: Launch
    start: T-2h
    steps:
      - name: Deploy
        at: T-1h
        duration: 45m
        lead: SRE
      - name: Verify
        after:
          - Deploy
        duration: 30m
        lead: QA
      - name: Watch dashboards
        at: T+0
        duration: 5m
        lead: SRE
      - name: Spot checks
        at: T+1h
        duration: 5m
        lead: QA
"""


@pytest.fixture
def plan(db: None) -> Plan:
    return import_plan_text(TEXT, t0="2026-12-01T12:00", filename="admin.yaml")


def _free_step(plan: Plan) -> Step:
    """A step with a lead that nothing waits for, that waits for nothing, with no items or gates."""
    for step in Step.objects.filter(plan=plan, lead_role__isnull=False, relative=False, deadline__isnull=True):
        if not (step.depends_on.exists() or step.dependents.exists() or step.items.exists() or step.gates.exists()):
            return step
    raise AssertionError("the template has no free step")


def _add(client: Client, plan: Plan, step: Step) -> str:
    response = client.post(
        reverse("admin:checklists_recurrence_add"),
        {"plan": plan.pk, "step": step.pk, "every": "15m", "times": "[]", "start": "T+0", "until": "T+2h"},
    )
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.django_db
def test_a_recurrence_added_and_deleted_in_the_admin_sets_and_clears_the_steps_flag(
    admin_client: Client, plan: Plan
) -> None:
    step = _free_step(plan)
    assert _add(admin_client, plan, step) == ""
    step.refresh_from_db()
    assert step.recurring
    rule = Recurrence.objects.get(step=step)
    response = admin_client.post(reverse("admin:checklists_recurrence_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert not step.recurring


@pytest.mark.django_db
def test_moving_a_recurrence_to_another_step_frees_the_first(admin_client: Client, plan: Plan) -> None:
    first = _free_step(plan)
    assert _add(admin_client, plan, first) == ""
    rule = Recurrence.objects.get(step=first)
    Step.objects.filter(pk=first.pk).update(lead_role=None)  # so the next free step is another one
    second = _free_step(plan)
    Step.objects.filter(pk=first.pk).update(lead_role=second.lead_role)
    url = reverse("admin:checklists_recurrence_change", args=[rule.pk])
    body = {"plan": plan.pk, "step": second.pk, "every": "15m", "times": "[]", "start": "T+0", "until": "T+2h"}
    assert admin_client.post(url, body).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.recurring, second.recurring) == (False, True)


@pytest.mark.django_db
def test_the_admin_refuses_a_recurrence_on_a_step_in_a_chain(admin_client: Client, plan: Plan) -> None:
    chained = next(s for s in Step.objects.filter(plan=plan) if s.dependents.exists())
    page = _add(admin_client, plan, chained)
    assert "cannot repeat" in page and "steps wait for it" in page
    chained.refresh_from_db()
    assert not chained.recurring and not Recurrence.objects.filter(step=chained).exists()
