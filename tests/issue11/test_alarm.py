"""Issue 11, finding 8: a rollback alarm reaches the board within a poll and the people the plan names
through the outbox, once per firing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from pytest_django.fixtures import Settings

from communications import outbox
from communications.models import Delivery
from plans.models import MetricReading, Plan, PlanStatus, RollbackTrigger
from roles.models import EscalationLevel
from tests import factories
from warroom import buckets, views

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M, S = timedelta(minutes=1), timedelta(seconds=1)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _breaching_plan(coordinator: User) -> tuple[Plan, RollbackTrigger]:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.LAUNCHED)
    sre = factories.RoleFactory(plan=plan, name="SRE", backup=None)
    level = EscalationLevel.objects.create(plan=plan, level=1, name="On call", after=timedelta(0))
    level.roles.set([sre])
    metric = factories.MetricFactory(plan=plan, name="Error rate", unit="%", comparator="<", target=Decimal("0.1"))
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Error rate >1% for 10 min", metric=metric, comparator=">",
        threshold=Decimal("1"), sustained_for=10 * M,
    )  # fmt: skip
    for minute in (0, 3, 6):
        MetricReading.objects.create(metric=metric, value=Decimal("2.5"), recorded_at=T0 + minute * M)
    return plan, trigger


def test_alarm_is_emailed_to_the_first_rung_and_the_coordinator_once(coordinator: User) -> None:
    plan, trigger = _breaching_plan(coordinator)
    sre = plan.roles.get(name="SRE")
    alarm_at = T0 + 10 * M  # the breach began with the T+0 reading; no reading is needed at T+10m
    with time_machine.travel(alarm_at - S, tick=False):
        outbox.tick(now=alarm_at - S)
    assert not Delivery.objects.filter(source_kind="trigger.alarm").exists()
    at = alarm_at + 15 * S  # the next beat
    with time_machine.travel(at, tick=False):
        outbox.tick(now=at)
    alarms = [m for m in mail.outbox if "ROLLBACK ALARM" in m.subject]
    assert sre.primary is not None
    assert sorted(m.to[0] for m in alarms) == sorted([sre.primary.email, coordinator.email])
    assert "Error rate > 1 % for 10m (now 2.5 %)" in alarms[0].body
    for later in (at + 15 * S, at + 5 * M):  # once per firing
        with time_machine.travel(later, tick=False):
            outbox.tick(now=later)
    assert len([m for m in mail.outbox if "ROLLBACK ALARM" in m.subject]) == 2
    assert trigger.pk == Delivery.objects.filter(source_kind="trigger.alarm").first().source_id  # type: ignore[union-attr]


def test_board_bucket_turns_over_when_the_breach_becomes_an_alarm(coordinator: User) -> None:
    plan, _ = _breaching_plan(coordinator)
    alarm_at = T0 + 10 * M
    before = alarm_at - 20 * S  # the same minute as the alarm: a minute bucket would wait until T+11m
    with time_machine.travel(before, tick=False):
        views.board_entry(plan.pk, plan.revision, buckets.current_bucket(plan.pk, plan.revision))
        first = buckets.current_bucket(plan.pk, plan.revision)
    with time_machine.travel(alarm_at + 2 * S, tick=False):
        buckets._DEADLINES.clear()
        second = buckets.current_bucket(plan.pk, plan.revision)
        html = views.board_html(plan.pk, plan.revision, second)
    assert first != second
    assert "ROLLBACK TRIGGER" in html
