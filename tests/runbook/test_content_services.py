"""Runbook content (issue 10): discretionary triggers pulled and cleared by the roles a plan names,
thresholds a template leaves blank blocking the go/no-go gate, placeholders (links http(s) only) blocking
the gate they belong to, procedures called by the launch's state, and the pages that show them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from checklists.models import Gate, GateKind
from checklists.services import gate_state
from checklists.services.gates import gate_blockers
from plans.metrics import trigger_state
from plans.models import (
    Event,
    Placeholder,
    PlaceholderKind,
    Plan,
    PlanStatus,
    Procedure,
    ProcedureKind,
    ProcedureStep,
    RollbackTrigger,
    TriggerKind,
)
from plans.runbook import services
from plans.runbook.selectors import procedures
from plans.services import plan_transition
from roles.models import Role
from tests import factories


@pytest.fixture
def commander(plan: Plan) -> Role:
    return factories.RoleFactory(plan=plan, name="Incident Commander", slug="incident-commander")


@pytest.fixture
def other_role(plan: Plan) -> Role:
    return factories.RoleFactory(plan=plan, name="QA Lead", slug="qa-lead")


@pytest.fixture
def trigger(plan: Plan, commander: Role) -> RollbackTrigger:
    made = RollbackTrigger.objects.create(
        plan=plan,
        description="Customer-visible data loss",
        kind=TriggerKind.DISCRETIONARY,
        action="Roll back the release",
    )
    made.roles.set([commander])
    return made


@pytest.fixture
def gate(plan: Plan) -> Gate:
    return factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go", kind=GateKind.GO_NO_GO)


def test_a_named_role_raises_and_clears_a_discretionary_trigger(trigger: RollbackTrigger, commander: Role) -> None:
    before = trigger.plan.revision
    services.rollback_trigger_raise(trigger, by=_person(commander), reason="Support sees lost orders")
    trigger.refresh_from_db()
    assert trigger.raised_at is not None and trigger.raised_by == commander.primary
    event = Event.objects.get(kind="rollback.raised")
    assert "Roll back the release" in event.summary and "Support sees lost orders" in event.summary
    assert Plan.objects.get(pk=trigger.plan_id).revision > before
    state = trigger_state(trigger, [])
    assert state.in_breach
    services.rollback_trigger_clear(trigger, by=_person(commander), reason="False alarm: test orders")
    trigger.refresh_from_db()
    assert trigger.raised_at is None
    assert Event.objects.filter(kind="rollback.cleared", data__reason="False alarm: test orders").exists()


def test_someone_else_s_role_is_refused(trigger: RollbackTrigger, other_role: Role) -> None:
    with pytest.raises(PermissionDenied):
        services.rollback_trigger_raise(trigger, by=_person(other_role), reason="I think so")
    trigger.refresh_from_db()
    assert trigger.raised_at is None
    assert not Event.objects.filter(kind="rollback.raised").exists()


def test_the_coordinator_may_pull_and_a_reason_is_required(trigger: RollbackTrigger, coordinator: User) -> None:
    with pytest.raises(ValidationError):
        services.rollback_trigger_raise(trigger, by=coordinator, reason="  ")
    services.rollback_trigger_raise(trigger, by=coordinator, reason="Vendor outage")
    assert RollbackTrigger.objects.get(pk=trigger.pk).raised_reason == "Vendor outage"


def test_an_automatic_trigger_is_not_pulled_by_hand(plan: Plan, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=plan)
    auto = RollbackTrigger.objects.create(plan=plan, description="Errors", metric=metric, comparator=">", threshold=1)
    with pytest.raises(ValidationError):
        services.rollback_trigger_raise(auto, by=coordinator, reason="because")


def test_a_trigger_naming_no_role_is_for_any_role_holder(plan: Plan, other_role: Role) -> None:
    open_trigger = RollbackTrigger.objects.create(plan=plan, description="Gut feeling", kind=TriggerKind.DISCRETIONARY)
    stranger = factories.UserFactory(username="stranger")
    assert services.can_pull_trigger(other_role.primary, open_trigger)
    assert not services.can_pull_trigger(stranger, open_trigger)


def test_a_blank_threshold_blocks_the_go_no_go_gate_until_set(plan: Plan, gate: Gate, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=plan, name="Error rate")
    blank = RollbackTrigger.objects.create(plan=plan, description="Error rate above X %", metric=metric, comparator=">")
    assert blank.threshold_missing
    blockers = gate_blockers(gate, **gate_state(gate))
    assert "Rollback trigger “Error rate above X %” has no threshold yet." in blockers
    with pytest.raises(PermissionDenied):
        services.rollback_trigger_set_threshold(blank, by=factories.UserFactory(), threshold="2")
    services.rollback_trigger_set_threshold(blank, by=coordinator, threshold="2.5")
    assert not any("threshold" in b for b in gate_blockers(gate, **gate_state(gate)))


def test_an_unfilled_placeholder_blocks_its_gate_and_links_are_http_only(
    plan: Plan, gate: Gate, coordinator: User
) -> None:
    bridge = Placeholder.objects.create(
        plan=plan, name="bridge_url", kind=PlaceholderKind.LINK, label="War-room bridge"
    )
    gate.placeholders.add(bridge)
    assert "Placeholder “War-room bridge” is not filled in." in gate_blockers(gate, **gate_state(gate))
    for bad in ["javascript:alert(1)", "ftp://x.example", "https://", "http://a b.example"]:
        with pytest.raises(ValidationError):
            services.placeholder_fill(bridge, by=coordinator, value=bad)
    with pytest.raises(PermissionDenied):
        services.placeholder_fill(bridge, by=factories.UserFactory(), value="https://meet.example/x")
    services.placeholder_fill(bridge, by=coordinator, value="https://meet.example/war-room")
    assert Placeholder.objects.get(pk=bridge.pk).value == "https://meet.example/war-room"
    assert gate_blockers(gate, **gate_state(gate)) == []


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (PlaceholderKind.NUMBER, "12.5", "twelve"),
        (PlaceholderKind.DATE, "2026-12-06", "next Tuesday"),
        (PlaceholderKind.PERSON, "Alice Smith (alice)", "a\x00b"),
    ],
)
def test_placeholder_values_are_checked_by_kind(plan: Plan, coordinator: User, kind: str, good: str, bad: str) -> None:
    placeholder = Placeholder.objects.create(plan=plan, name="x", kind=kind)
    assert services.placeholder_fill(placeholder, by=coordinator, value=good).value == good
    with pytest.raises(ValidationError):
        services.placeholder_fill(placeholder, by=coordinator, value=bad)


def test_an_automatic_trigger_outside_its_window_does_not_fire(plan: Plan, coordinator: User) -> None:
    from plans.services import reading_record

    metric = factories.MetricFactory(plan=plan, name="Errors")
    first_hour = RollbackTrigger.objects.create(
        plan=plan,
        description="Errors in the first hour",
        metric=metric,
        comparator=">",
        threshold=1,
        window_start=timedelta(0),
        window_end=timedelta(hours=1),
        action="Roll back",
    )
    with time_machine.travel(plan.t0 + timedelta(hours=2), tick=False):
        reading_record(metric, value="5", by=coordinator)
    assert RollbackTrigger.objects.get(pk=first_hour.pk).raised_at is None
    with time_machine.travel(plan.t0 + timedelta(minutes=30), tick=False):
        reading_record(metric, value="5", by=coordinator)
    assert RollbackTrigger.objects.get(pk=first_hour.pk).raised_at is not None


def test_the_rollback_procedure_is_called_when_the_launch_rolls_back(
    plan: Plan, coordinator: User, commander: Role
) -> None:
    rollback = Procedure.objects.create(plan=plan, name="Rollback", kind=ProcedureKind.ROLLBACK, lead_role=commander)
    step = ProcedureStep.objects.create(procedure=rollback, name="Flip DNS back", action="Point www at the old LB")
    Procedure.objects.create(plan=plan, name="Abort", kind=ProcedureKind.ABORT)
    assert procedures(plan, called_only=True) == []
    plan_transition(plan, to=PlanStatus.ROLLED_BACK, by=coordinator, reason="Errors")
    called = procedures(plan, called_only=True)
    assert [v.procedure.name for v in called] == ["Rollback"]
    with pytest.raises(PermissionDenied):
        services.procedure_step_mark(step, by=factories.UserFactory(), done=True)
    services.procedure_step_mark(step, by=_person(commander), done=True)
    assert procedures(plan, called_only=True)[0].done == 1


# --- Pages ---------------------------------------------------------------------------------------------


def _person(role: Role) -> User:
    assert role.primary is not None
    return role.primary


def _login(client: Client, user: User | None) -> None:
    assert user is not None
    client.force_login(user)


def test_raise_on_the_board_shows_the_action_and_others_get_403(
    client: Client, trigger: RollbackTrigger, commander: Role, other_role: Role
) -> None:
    plan = trigger.plan
    url = reverse("plans:rollback_raise", args=[plan.slug, trigger.pk])
    _login(client, other_role.primary)
    board = client.get(reverse("warroom:board", args=[plan.slug]))
    assert b"wr-pull" not in board.content
    assert client.post(url, {"reason": "no", "back": "board"}).status_code == 403
    _login(client, commander.primary)
    board = client.get(reverse("warroom:board", args=[plan.slug]))
    assert b"Rollback triggers you can pull" in board.content
    response = client.post(url, {"reason": "Lost orders", "back": "board"})
    assert response.status_code == 302 and response["Location"] == reverse("warroom:board", args=[plan.slug])
    board = client.get(reverse("warroom:board", args=[plan.slug]))
    text = board.content.decode()
    assert "ROLLBACK TRIGGER: Customer-visible data loss" in text
    assert "ROLL BACK THE RELEASE" in text
    clear = reverse("plans:rollback_clear", args=[plan.slug, trigger.pk])
    assert client.post(clear, {"reason": "fixed", "back": "metrics"})["Location"].endswith("/metrics/")


def test_the_metrics_page_offers_raise_to_the_named_role_only(
    client: Client, trigger: RollbackTrigger, commander: Role, other_role: Role
) -> None:
    url = reverse("warroom:metrics", args=[trigger.plan.slug])
    _login(client, commander.primary)
    assert b'data-action="trigger-raise"' in client.get(url).content
    _login(client, other_role.primary)
    page = client.get(url)
    assert b'data-action="trigger-raise"' not in page.content
    assert b"Roll back the release" in page.content


def test_the_plan_page_lists_unfilled_placeholders_and_shows_links(
    client: Client, plan: Plan, coordinator: User, other_role: Role
) -> None:
    Placeholder.objects.create(plan=plan, name="incident_commander", kind=PlaceholderKind.PERSON, order=1)
    link = Placeholder.objects.create(
        plan=plan, name="status_page", kind=PlaceholderKind.LINK, label="Status page", order=2
    )
    _login(client, coordinator)
    fill = reverse("plans:placeholder_fill", args=[plan.slug, link.pk])
    client.post(fill, {"value": "https://status.example.com"})
    page = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "1 to fill in" in page and "Incident commander" in page
    assert '<a href="https://status.example.com" rel="noopener noreferrer" target="_blank">Status page</a>' in page
    _login(client, other_role.primary)
    assert client.post(fill, {"value": "https://evil.example"}).status_code == 403
    assert Placeholder.objects.get(pk=link.pk).value == "https://status.example.com"


def test_the_step_page_shows_the_structured_step(client: Client, plan: Plan, coordinator: User) -> None:
    step = factories.StepFactory(
        plan=plan,
        name="Run migrations",
        preconditions=["Backup verified", "Writes frozen"],
        action="manage.py migrate",
        verify="Row counts match",
        rollback="Restore the backup",
        optional=True,
        condition="the schema changed",
    )
    _login(client, coordinator)
    page = client.get(reverse("plans:step", args=[plan.slug, step.pk])).content.decode()
    for text in ["Backup verified", "Writes frozen", "manage.py migrate", "Row counts match", "Restore the backup"]:
        assert text in page
    assert "only if the schema changed" in page
    other = factories.PlanFactory()
    assert client.get(reverse("plans:step", args=[other.slug, step.pk])).status_code == 404


def test_the_role_page_nests_sub_items_and_opens_step_detail_in_place(
    client: Client, plan: Plan, commander: Role
) -> None:
    checklist = factories.ChecklistFactory(plan=plan, role=commander)
    parent = factories.ItemFactory(plan=plan, checklist=checklist, title="Comms ready", order=1, notes="See wiki")
    factories.ItemFactory(plan=plan, checklist=checklist, title="Status page drafted", parent=parent, order=2)
    factories.ItemFactory(plan=plan, checklist=checklist, title="Unrelated", order=3, due_offset=timedelta(hours=-9))
    factories.StepFactory(plan=plan, name="Cut over", lead_role=commander, action="Flip the switch")
    _login(client, commander.primary)
    page = client.get(reverse("checklists:role", args=[plan.slug, commander.slug])).content.decode()
    assert page.index("Comms ready") < page.index("Status page drafted")
    assert "(0/1 sub-items)" in page and "See wiki" in page
    assert '<details class="step-detail small" id="step-detail-' in page and "Flip the switch" in page


def test_go_is_refused_until_the_blank_threshold_is_set(plan: Plan, gate: Gate, coordinator: User) -> None:
    from checklists.services import gate_decide

    RollbackTrigger.objects.create(
        plan=plan, description="Latency above X ms", kind=TriggerKind.DISCRETIONARY, comparator=">"
    )
    authority = gate.authority_role
    assert authority is not None and authority.primary is not None
    with pytest.raises(ValidationError, match="has no threshold yet"):
        gate_decide(gate, by=_person(authority), decision="go")
    services.rollback_trigger_set_threshold(RollbackTrigger.objects.get(plan=plan), by=coordinator, threshold="800")
    assert gate_decide(gate, by=_person(authority), decision="go").status == "passed"
