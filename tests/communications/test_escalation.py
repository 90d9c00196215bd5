"""An unanswered issue climbs the escalation matrix: each rung notifies its roles once, on time, and an
acknowledged issue stops climbing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail

from communications.models import Delivery, DeliveryStatus
from issues.services import issue_acknowledge, issue_open
from issues.tasks import escalate_open_issues
from roles.models import EscalationLevel
from tests import factories
from tests.beats import beat, tick_at, tick_each

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.fixture
def matrix(plan: Plan) -> tuple[Role, Role, Role]:
    tech = factories.RoleFactory(plan=plan, name="Technical team", backup=factories.UserFactory())
    mgmt = factories.RoleFactory(plan=plan, name="Management")
    execs = factories.RoleFactory(plan=plan, name="Executives")
    for level, name, after, role in [
        (1, "Technical", 0, tech),
        (2, "Management", 15, mgmt),
        (3, "Executive", 30, execs),
    ]:
        lvl = EscalationLevel.objects.create(plan=plan, level=level, name=name, after=timedelta(minutes=after))
        lvl.roles.set([role])
    return tech, mgmt, execs


def test_each_rung_notifies_once_and_acknowledging_stops_the_climb(
    plan: Plan, coordinator: User, matrix: tuple[Role, Role, Role]
) -> None:
    tech, mgmt, execs = matrix
    with time_machine.travel(NOW, tick=False):
        issue = issue_open(
            plan, by=coordinator, title="Checkout 500s", severity="critical", description="", owner_role=None
        )

    # The beat around each rung's moment (tests/beats.py), worked out before the acknowledgement: the third
    # rung's moment is still ticked after it.
    ticks = beat(plan, NOW, NOW + 40 * M)
    tick_each(t for t in ticks if t < NOW + 20 * M)
    sent = Delivery.objects.filter(source_kind="issue.escalation", status=DeliveryStatus.SENT)
    recipients = sorted(d.recipient_label.split(" (")[1].split(",")[0] for d in sent)
    assert recipients == ["Management", "Technical team", "Technical team"]  # L1 primary+backup, then L2
    assert len(mail.outbox) == 3
    assert "escalated to L2 Management" in mail.outbox[-1].subject
    assert mail.outbox[-1].body.endswith(f"Acknowledge it: http://testserver/plans/{plan.slug}/issues/{issue.number}/")

    with time_machine.travel(NOW + 20 * M, tick=False):
        escalate_open_issues()
        issue.refresh_from_db()
        assert issue.escalation_level == 2
        issue_acknowledge(issue, by=coordinator)

    tick_each([*(t for t in ticks if t > NOW + 20 * M), *beat(plan, NOW + 20 * M + M, NOW + 40 * M)])
    assert not Delivery.objects.filter(source_kind="issue.escalation", recipient__endswith=":L3").exists()
    assert len(mail.outbox) == 3


def test_a_reopened_issue_climbs_again_from_the_first_rung(
    plan: Plan, coordinator: User, matrix: tuple[Role, Role, Role]
) -> None:
    """Reopening restarts the climb: the stored rung goes back to 0, and each rung notifies again, counted
    from the reopening (a reopened issue reported an hour ago is not at the top rung at once)."""
    from issues.services import issue_reopen, issue_resolve

    with time_machine.travel(NOW, tick=False):
        issue = issue_open(
            plan, by=coordinator, title="Login loop", severity="critical", description="", owner_role=None
        )
    for minute in range(0, 35, 5):
        tick_at(NOW + minute * M + timedelta(seconds=5))
    with time_machine.travel(NOW + 35 * M, tick=False):
        escalate_open_issues()
        issue.refresh_from_db()
        assert issue.escalation_level == 3
        issue_resolve(issue, by=coordinator, resolution="Cache flushed")
    assert len(mail.outbox) == 4  # L1 primary and backup, L2, L3

    reopened = NOW + 60 * M
    with time_machine.travel(reopened, tick=False):
        issue = issue_reopen(issue, by=coordinator, reason="The loop is back")
        assert issue.escalation_level == 0
        escalate_open_issues()
        issue.refresh_from_db()
        assert issue.escalation_level == 1  # its first rung (after 0 min), not the top one
    for minute in range(60, 80):
        tick_at(NOW + minute * M + timedelta(seconds=5))
    again = mail.outbox[4:]
    assert [m.subject.split("escalated to ")[1] for m in again] == ["L1 Technical"] * 2 + ["L2 Management"]
    assert "reopened at" in again[0].body
    with time_machine.travel(NOW + 80 * M, tick=False):
        escalate_open_issues()
        issue.refresh_from_db()
        assert issue.escalation_level == 2
