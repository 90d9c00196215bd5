"""The life of an issue in the service layer (issue 12): every transition, every refusal (permission, state,
text), a double click is a conflict that changes nothing, each transition is one event, the times are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from issues import services
from issues.models import IssueComment, IssueStatus, SeveritySLA
from issues.selectors import issue_timeline
from plans.models import Event, Risk, RollbackTrigger
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from issues.models import Issue
    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class World(TypedDict):
    owner: User
    other: User
    stranger: User
    role: Role
    issue: Issue


@pytest.fixture
def w(plan: Plan) -> World:
    owner = factories.UserFactory(username="owner")
    other = factories.UserFactory(username="other")
    role = factories.RoleFactory(plan=plan, name="DBA", primary=owner)
    factories.RoleFactory(plan=plan, name="QA", primary=other)
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=timedelta(minutes=15))
    with time_machine.travel(NOON, tick=False):
        issue = services.issue_open(plan, by=other, title="Checkout 502", severity="critical", owner_role=role)
    return {
        "owner": owner,
        "other": other,
        "stranger": factories.UserFactory(username="stranger"),
        "role": role,
        "issue": issue,
    }


def kinds(plan: Plan) -> list[str]:
    return list(
        Event.objects.filter(plan=plan, kind__startswith="issue.").order_by("id").values_list("kind", flat=True)
    )


def test_the_whole_life_with_times_kept(plan: Plan, w: World) -> None:
    issue, owner = w["issue"], w["owner"]
    with time_machine.travel(NOON + timedelta(minutes=4), tick=False):
        issue = services.issue_acknowledge(issue, by=owner)
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        issue = services.issue_mitigate(issue, by=owner, note="Failing over to the replica")
    assert issue.status == IssueStatus.MITIGATING and issue.mitigating_by == owner
    with time_machine.travel(NOON + timedelta(minutes=40), tick=False):
        issue = services.issue_resolve(issue, by=owner, resolution="Failed over")
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        issue = services.issue_close(issue, by=owner, root_cause="Disk full on the primary")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.closed_by == owner
    assert issue.response_time == timedelta(minutes=4) and issue.resolution_time == timedelta(minutes=40)
    assert issue.root_cause == "Disk full on the primary" and issue.resolution == "Failed over"
    assert kinds(plan) == [
        "issue.opened",
        "issue.acknowledged",
        "issue.mitigating",
        "issue.resolved",
        "issue.closed",
    ]


def test_mitigating_or_resolving_an_open_issue_answers_it(plan: Plan, w: World) -> None:
    with time_machine.travel(NOON + timedelta(minutes=3), tick=False):
        issue = services.issue_mitigate(w["issue"], by=w["owner"])
    assert issue.acknowledged_by == w["owner"] and issue.response_time == timedelta(minutes=3)
    assert issue.response_remaining() is None  # the SLA timer stops
    other = services.issue_open(plan, by=w["other"], title="Typo", severity="low", owner_role=w["role"])
    other = services.issue_resolve(other, by=w["owner"], resolution="Fixed", root_cause="Copy not reviewed")
    assert other.acknowledged_at is not None and other.root_cause == "Copy not reviewed"


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("acknowledge", "already acknowledged"),
        ("mitigate", "already mitigating"),
        ("resolve", "already resolved"),
        ("close", "already closed"),
    ],
)
def test_a_double_click_is_a_conflict_and_changes_nothing(plan: Plan, w: World, first: str, again: str) -> None:
    owner = w["owner"]
    steps = {
        "acknowledge": lambda i: services.issue_acknowledge(i, by=owner),
        "mitigate": lambda i: services.issue_mitigate(i, by=owner),
        "resolve": lambda i: services.issue_resolve(i, by=owner, resolution="Done", root_cause="Bug"),
        "close": lambda i: services.issue_close(i, by=owner),
    }
    issue = w["issue"]
    for name, step in steps.items():
        issue = step(issue)
        if name == first:
            break
    events, revision = Event.objects.count(), plan.__class__.objects.get(pk=plan.pk).revision
    with pytest.raises(services.IssueConflict, match=again):
        steps[first](issue)
    assert Event.objects.count() == events
    assert plan.__class__.objects.get(pk=plan.pk).revision == revision


def test_transitions_the_state_refuses(plan: Plan, w: World) -> None:
    issue, owner = w["issue"], w["owner"]
    with pytest.raises(services.IssueConflict, match="open, so it cannot be closed"):
        services.issue_close(issue, by=owner, root_cause="x", resolution="y")
    with pytest.raises(services.IssueConflict, match="cannot be reopened"):
        services.issue_reopen(issue, by=owner, reason="back")
    issue = services.issue_resolve(issue, by=owner, resolution="Done")
    with pytest.raises(services.IssueConflict):
        services.issue_acknowledge(issue, by=owner)
    with pytest.raises(services.IssueConflict):
        services.issue_mitigate(issue, by=owner)
    issue = services.issue_close(issue, by=owner, root_cause="Bug")
    with pytest.raises(services.IssueConflict, match="raise a new one"):
        services.issue_reopen(issue, by=owner, reason="back")
    assert kinds(plan)[-1] == "issue.closed"


def test_close_needs_a_root_cause_and_a_resolution(plan: Plan, w: World) -> None:
    issue = services.issue_resolve(w["issue"], by=w["owner"], resolution="Restarted")
    with pytest.raises(ValidationError, match="root cause"):
        services.issue_close(issue, by=w["owner"])
    with pytest.raises(ValidationError, match="root cause"):
        services.issue_close(issue, by=w["owner"], root_cause="   ")
    with pytest.raises(ValidationError):
        services.issue_close(issue, by=w["owner"], root_cause="a\x00b")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED and kinds(plan)[-1] == "issue.resolved"


def test_reopen_restarts_the_sla_and_keeps_the_first_response(plan: Plan, w: World) -> None:
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        issue = services.issue_resolve(w["issue"], by=w["owner"], resolution="Restarted")
    with pytest.raises(ValidationError, match="Say why"):
        services.issue_reopen(issue, by=w["other"], reason="  ")
    with pytest.raises(PermissionDenied):
        services.issue_reopen(issue, by=w["stranger"], reason="Back again")
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        issue = services.issue_reopen(issue, by=w["other"], reason="502s are back")  # any role holder
        assert issue.response_remaining() == timedelta(minutes=15)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN and issue.reopen_count == 1
    assert issue.response_time == timedelta(minutes=5) and issue.resolution_time is None
    assert issue.acknowledged_at is None and issue.resolved_at is None
    event = Event.objects.filter(plan=plan).latest("id")
    assert event.kind == "issue.reopened" and event.data["reason"] == "502s are back"


def test_who_may_do_what(plan: Plan, coordinator: User, w: World) -> None:
    issue = w["issue"]
    for act in (
        lambda by: services.issue_acknowledge(issue, by=by),
        lambda by: services.issue_mitigate(issue, by=by),
        lambda by: services.issue_resolve(issue, by=by, resolution="x"),
    ):
        for refused in (w["other"], w["stranger"]):
            with pytest.raises(PermissionDenied):
                act(refused)
    with pytest.raises(PermissionDenied):
        services.issue_comment(issue, by=w["stranger"], body="hello")
    services.issue_comment(issue, by=w["other"], body="I see it too")  # any role holder may comment
    services.issue_mitigate(issue, by=coordinator)  # the coordinator handles any issue
    with pytest.raises(PermissionDenied):
        services.issue_open(plan, by=w["stranger"], title="x", severity="low")
    assert kinds(plan) == ["issue.opened", "issue.commented", "issue.mitigating"]


def test_comments_and_changes_make_one_timeline(plan: Plan, w: World) -> None:
    issue = w["issue"]
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        services.issue_comment(issue, by=w["other"], body="Seeing 502s on /checkout")
    with time_machine.travel(NOON + timedelta(minutes=2), tick=False):
        services.issue_acknowledge(issue, by=w["owner"])
    with time_machine.travel(NOON + timedelta(minutes=3), tick=False):
        services.issue_comment(issue, by=w["owner"], body="Looking <b>now</b>")
    with pytest.raises(ValidationError, match="Write a comment"):
        services.issue_comment(issue, by=w["owner"], body=" ")
    entries = issue_timeline(issue)
    other, owner = w["other"].get_full_name(), w["owner"].get_full_name()
    assert [(e.kind, e.who) for e in entries] == [
        ("issue.opened", other),
        ("comment", other),
        ("issue.acknowledged", owner),
        ("comment", owner),
    ]
    assert entries[3].text == "Looking <b>now</b>" and IssueComment.objects.count() == 2


def test_step_and_risk_must_be_of_the_plan(plan: Plan, w: World) -> None:
    other_plan = factories.PlanFactory()
    step = factories.StepFactory(plan=plan)
    risk = Risk.objects.create(plan=plan, title="Payment provider down")  # (test set-up)
    issue = services.issue_open(plan, by=w["other"], title="x", severity="low", step=step, risk=risk)
    assert issue.step == step and issue.risk == risk
    with pytest.raises(ValidationError, match="step"):
        services.issue_open(plan, by=w["other"], title="x", severity="low", step=factories.StepFactory(plan=other_plan))
    foreign = Risk.objects.create(plan=other_plan, title="Elsewhere")  # (test set-up)
    with pytest.raises(ValidationError, match="risk"):
        services.issue_open(plan, by=w["other"], title="x", severity="low", risk=foreign)


def test_marking_a_rollback_trigger_pulls_it(plan: Plan, coordinator: User, w: World) -> None:
    issue = w["issue"]
    with pytest.raises(ValidationError, match="no rollback trigger"):
        services.issue_mark_rollback(issue, by=coordinator)
    trigger = RollbackTrigger.objects.create(plan=plan, description="Orders lost", kind="discretionary")
    trigger.roles.set([w["role"]])
    with pytest.raises(PermissionDenied):
        services.issue_mark_rollback(issue, by=w["other"])  # QA may not pull the DBA's trigger
    issue = services.issue_mark_rollback(issue, by=w["owner"], reason="Payments failing")
    trigger.refresh_from_db()
    assert issue.rollback_trigger == trigger and trigger.raised_at is not None
    assert "Issue #1 Checkout 502: Payments failing" in trigger.raised_reason
    assert kinds(plan)[-1] == "issue.rollback_trigger"
    assert Event.objects.filter(plan=plan, kind="rollback.raised").count() == 1
    with pytest.raises(services.IssueConflict, match="already marked"):
        services.issue_mark_rollback(issue, by=w["owner"])
    services.issue_resolve(issue, by=w["owner"], resolution="Rolled back")
    trigger.refresh_from_db()
    assert trigger.raised_at is not None  # standing the rollback down is its own decision


def test_several_triggers_need_a_choice(plan: Plan, coordinator: User, w: World) -> None:
    for name in ("Orders lost", "Data leak"):
        RollbackTrigger.objects.create(plan=plan, description=name, kind="discretionary")
    RollbackTrigger.objects.create(plan=factories.PlanFactory(), description="Elsewhere", kind="discretionary")
    with pytest.raises(ValidationError, match="Choose"):
        services.issue_mark_rollback(w["issue"], by=coordinator)
    foreign = RollbackTrigger.objects.get(description="Elsewhere")
    with pytest.raises(ValidationError, match="another plan"):
        services.issue_mark_rollback(w["issue"], by=coordinator, trigger=foreign)
    chosen = RollbackTrigger.objects.get(description="Data leak")
    assert services.issue_mark_rollback(w["issue"], by=coordinator, trigger=chosen).rollback_trigger == chosen
