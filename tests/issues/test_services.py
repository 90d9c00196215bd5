from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from issues import services
from issues.models import IssueStatus, SeveritySLA
from issues.selectors import escalation_levels, open_issues, reached_level
from plans.models import Event
from roles.models import EscalationLevel
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from issues.models import Issue
    from plans.models import Plan
    from roles.models import Role

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class IssueSetup(TypedDict):
    owner: User
    other: User
    role: Role


def rung(issue: Issue, levels: list[EscalationLevel], now: datetime) -> int | None:
    """The number of the rung ``issue`` has reached at ``now`` (None: none yet)."""
    level = reached_level(issue, levels, now=now)
    return None if level is None else level.level


@pytest.fixture
def setup(plan: Plan) -> IssueSetup:
    owner = factories.UserFactory(username="owner")
    other = factories.UserFactory(username="other")
    role = factories.RoleFactory(plan=plan, name="DBA", primary=owner)
    factories.RoleFactory(plan=plan, name="QA", primary=other)
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=timedelta(minutes=15))
    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(hours=1))
    for level, name, after in [(1, "On call", 0), (2, "Tech lead", 15), (3, "CTO", 60)]:
        EscalationLevel.objects.create(plan=plan, level=level, name=name, after=timedelta(minutes=after))
    EscalationLevel.objects.create(plan=plan, level=9, name="Board", condition="Emergency")
    return {"owner": owner, "other": other, "role": role}


@time_machine.travel(NOON, tick=False)
def test_open_sets_respond_by_from_sla_and_numbers(plan: Plan, coordinator: User, setup: IssueSetup) -> None:
    rev = plan.revision
    first = services.issue_open(
        plan, by=setup["other"], title="Checkout slow", severity="critical", owner_role=setup["role"]
    )
    second = services.issue_open(plan, by=coordinator, title="Typo", severity="low")
    assert first.number == 1 and second.number == 2
    assert first.respond_by == NOON + timedelta(minutes=15)
    assert second.respond_by is None  # no SLA for low in this plan
    assert first.status == IssueStatus.OPEN
    plan.refresh_from_db()
    # two issues opened, and the critical one prepared a draft incident for the status page (statuspage/drafts.py)
    assert plan.revision == rev + 3
    assert Event.objects.filter(plan=plan, kind="issue.opened").count() == 2


def test_open_needs_a_role_or_coordinator_and_a_title(plan: Plan, setup: IssueSetup) -> None:
    stranger = factories.UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.issue_open(plan, by=stranger, title="x", severity="high")
    with pytest.raises(ValidationError):
        services.issue_open(plan, by=setup["owner"], title="  ", severity="high")
    with pytest.raises(ValidationError):
        services.issue_open(plan, by=setup["owner"], title="x", severity="apocalyptic")


def test_acknowledge_and_resolve_by_owner_role_or_coordinator(plan: Plan, coordinator: User, setup: IssueSetup) -> None:
    issue = services.issue_open(plan, by=setup["other"], title="Slow", severity="high", owner_role=setup["role"])
    with pytest.raises(PermissionDenied):
        services.issue_acknowledge(issue, by=setup["other"])  # holds a role, but not the owner role
    issue = services.issue_acknowledge(issue, by=setup["owner"])
    assert issue.status == IssueStatus.ACKNOWLEDGED and issue.acknowledged_by == setup["owner"]
    with pytest.raises(services.IssueConflict, match="already acknowledged"):  # a double click
        services.issue_acknowledge(issue, by=setup["owner"])
    with pytest.raises(ValidationError):
        services.issue_resolve(issue, by=coordinator, resolution=" ")
    issue = services.issue_resolve(issue, by=coordinator, resolution="Added an index")
    assert issue.status == IssueStatus.RESOLVED and issue.resolution == "Added an index"
    assert list(open_issues(plan)) == []


def test_resolve_unacknowledged_acknowledges_too(plan: Plan, setup: IssueSetup) -> None:
    issue = services.issue_open(plan, by=setup["owner"], title="Slow", severity="high", owner_role=setup["role"])
    issue = services.issue_resolve(issue, by=setup["owner"], resolution="Restarted")
    assert issue.acknowledged_at is not None and issue.acknowledged_at == issue.resolved_at


def test_escalation_climbs_while_unanswered_and_stops_when_acknowledged(plan: Plan, setup: IssueSetup) -> None:
    with time_machine.travel(NOON, tick=False):
        issue = services.issue_open(
            plan, by=setup["owner"], title="Down", severity="critical", owner_role=setup["role"]
        )
    levels = escalation_levels(plan)
    assert [lv.level for lv in levels] == [1, 2, 3]  # the out-of-band rung is not reached by time
    assert rung(issue, levels, NOON) == 1
    assert rung(issue, levels, NOON + timedelta(minutes=14, seconds=59)) == 1
    assert rung(issue, levels, NOON + timedelta(minutes=15)) == 2
    assert rung(issue, levels, NOON + timedelta(hours=2)) == 3

    with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
        climbed = services.issues_escalate(plan)
        assert climbed == [issue]
        issue.refresh_from_db()
        assert issue.escalation_level == 2
        assert services.issues_escalate(plan) == []  # nothing new
        services.issue_acknowledge(issue, by=setup["owner"])
    issue.refresh_from_db()
    # Answered at 20 minutes: it stays on rung 2 however long afterwards.
    assert rung(issue, levels, NOON + timedelta(hours=5)) == 2
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        assert services.issues_escalate(plan) == []


def test_open_issues_most_severe_first(plan: Plan, setup: IssueSetup) -> None:
    services.issue_open(plan, by=setup["owner"], title="Low one", severity="low")
    services.issue_open(plan, by=setup["owner"], title="Critical one", severity="critical")
    services.issue_open(plan, by=setup["owner"], title="High one", severity="high")
    assert [i.title for i in open_issues(plan)] == ["Critical one", "High one", "Low one"]
