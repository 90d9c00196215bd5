"""What happens now goes out during a hold: a hold stops the countdown, and the outbox defers what hangs off a plan
moment after its start (a reminder, a message: they slip with T-0 when it ends), but an issue's escalation and a
rollback alarm are wall-clock news. Both were anchored on the moment they came due, so a tick during the hold
dropped them: an unanswered critical issue (often the hold's very cause) never reached Management, and an alarm
never reached the coordinator, while the launch stood still."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine

from communications.models import Delivery, DeliveryStatus
from issues.services import issue_open
from plans.models import PlanStatus, RollbackTrigger
from plans.services import hold_start, reading_record
from roles.models import EscalationLevel
from tests import factories
from tests.beats import beat, tick_each

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.fixture
def held(coordinator: User) -> Plan:
    """A countdown two hours before T-0, its first rung the technical team, its second Management at 15 min."""
    plan = factories.PlanFactory(coordinator=coordinator, t0=NOW + 120 * M, status=PlanStatus.COUNTDOWN)
    for level, name, after in [(1, "Technical team", 0), (2, "Management", 15)]:
        rung = EscalationLevel.objects.create(plan=plan, level=level, name=name, after=after * M)
        rung.roles.set([factories.RoleFactory(plan=plan, name=name)])
    return plan


def _sent(kind: str) -> list[str]:
    rows = Delivery.objects.filter(source_kind=kind, status=DeliveryStatus.SENT).order_by("due_at", "recipient")
    return [d.recipient_label for d in rows]


def test_an_issue_climbs_during_a_hold(held: Plan, coordinator: User) -> None:
    with time_machine.travel(NOW, tick=False):
        issue_open(held, by=coordinator, title="Checkout 500s", severity="critical", description="", owner_role=None)
    with time_machine.travel(NOW + M, tick=False):
        hold_start(held, by=coordinator, reason="Checkout 500s on staging")
    tick_each(beat(held, NOW, NOW + 20 * M))
    sent = _sent("issue.escalation")
    assert len(sent) == 2 and "(Technical team" in sent[0] and "(Management" in sent[1], sent


def test_a_rollback_alarm_goes_out_during_a_hold(held: Plan, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=held, name="Error rate", unit="%", comparator="<", target=Decimal("1"))
    RollbackTrigger.objects.create(
        plan=held, description="Errors over 5% for 5 min", metric=metric, comparator=">",
        threshold=Decimal("5"), sustained_for=5 * M,
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        hold_start(held, by=coordinator, reason="Soft launch errors")
    for minute in (1, 3, 5, 7):
        with time_machine.travel(NOW + minute * M, tick=False):
            reading_record(metric, value="9", by=coordinator)
    tick_each(beat(held, NOW, NOW + 12 * M))
    assert _sent("trigger.alarm"), "the alarm went nowhere"
