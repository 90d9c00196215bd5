"""Time travel (time-machine), two beats a minute: each escalation rung notifies its routes once, an alarm
notifies once and its clear once, and a page opened by a critical issue is resolved when the issue is."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine

from communications.models import Delivery, DeliveryStatus
from issues.services import issue_acknowledge, issue_open, issue_resolve
from plans.models import RollbackTrigger
from plans.services import reading_record
from roles.models import Shift
from tests import factories
from tests.beats import beat, tick_at, tick_each

from .conftest import NOW, M, S, Setup, posted

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def beats(first: int, last: int, every: int = 3) -> None:
    """Two beats every ``every`` minutes from ``first`` to ``last`` (the second finds nothing new)."""
    for minute in range(first, last, every):
        tick_at(NOW + minute * M + 5 * S)
        tick_at(NOW + minute * M + 20 * S)


def titles(setup: Setup, path: str) -> list[str]:
    docs = posted(setup.sink, path)
    if path.endswith("slack"):
        return [d["blocks"][0]["text"]["text"] for d in docs]
    return [f"{d['event_action']} {d.get('payload', {}).get('summary', '')}".strip() for d in docs]


def test_each_escalation_rung_notifies_its_routes_once(routed: Setup, coordinator: User) -> None:
    with time_machine.travel(NOW, tick=False):
        issue = issue_open(
            routed.plan, by=coordinator, title="Checkout slow", severity="critical", description="", owner_role=None
        )
    # The beat around each rung's moment (tests/beats.py), worked out before the acknowledgement: the third
    # rung's moment is still ticked after it.
    ticks = beat(routed.plan, NOW, NOW + 40 * M)
    tick_each(t for t in ticks if t < NOW + 20 * M)
    assert titles(routed, "/ok/slack") == [
        "Critical issue #1 opened: Checkout slow",  # rung 1 (after 0) is told with the opening
        "Critical issue #1 unanswered: escalated to L2 Management: Checkout slow",
    ]
    assert titles(routed, "/ok/pd") == [
        "trigger [Checkout v2] Critical issue #1 opened: Checkout slow",
        "trigger [Checkout v2] Critical issue #1 unanswered: escalated to L2 Management: Checkout slow",
    ]
    mgmt = routed.mgmt.primary
    assert mgmt is not None
    assert posted(routed.sink, "/ok/pd")[1]["payload"]["custom_details"]["on call"] == (
        f"{mgmt.get_full_name()} (Management, primary)"
    )
    assert len(posted(routed.sink, "/ok/teams")) == 2  # the Teams route takes the same two
    with time_machine.travel(NOW + 20 * M, tick=False):
        issue_acknowledge(issue, by=coordinator)
    tick_each([*(t for t in ticks if t > NOW + 20 * M), *beat(routed.plan, NOW + 20 * M + 5 * S, NOW + 40 * M)])
    assert titles(routed, "/ok/pd")[2:] == ["acknowledge"]
    assert len(posted(routed.sink, "/ok/slack")) == 3  # the acknowledgement; no third rung


def test_a_rung_pages_the_person_on_call(routed: Setup, coordinator: User) -> None:
    night = factories.UserFactory(first_name="Nia", last_name="Night")
    Shift.objects.create(
        plan=routed.plan, role=routed.mgmt, start=-timedelta(hours=1), end=timedelta(hours=8), person=night
    )
    with time_machine.travel(NOW, tick=False):
        issue_open(
            routed.plan, by=coordinator, title="Queue stuck", severity="critical", description="", owner_role=None
        )
    beats(0, 16)
    rung = posted(routed.sink, "/ok/pd")[-1]
    assert rung["payload"]["custom_details"]["on call"] == "Nia Night (Management, on call)"


def test_a_critical_issue_page_is_resolved_with_the_issue_and_a_high_one_does_not_page(
    routed: Setup, coordinator: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        critical = issue_open(
            routed.plan, by=coordinator, title="Down", severity="critical", description="", owner_role=None
        )
        issue_open(routed.plan, by=coordinator, title="Slow", severity="high", description="", owner_role=None)
    beats(0, 3)
    with time_machine.travel(NOW + 3 * M, tick=False):
        issue_resolve(critical, by=coordinator, resolution="Restarted")
    beats(3, 8)
    docs = posted(routed.sink, "/ok/pd")
    assert [(d["event_action"], d["dedup_key"]) for d in docs] == [
        ("trigger", "launchcontrol/checkout-v2/issue/1"),
        ("resolve", "launchcontrol/checkout-v2/issue/1"),
    ]
    assert len({key for key, n in routed.sink.keys("/ok/pd").items() if n == 1}) == 2  # each sent once


def test_an_alarm_notifies_once_and_its_clear_once(routed: Setup, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=routed.plan, name="Error rate", unit="%", comparator="<", target=Decimal("1"))
    trigger = RollbackTrigger.objects.create(
        plan=routed.plan, description="Errors over 5% for 5 min", metric=metric, comparator=">",
        threshold=Decimal("5"), sustained_for=5 * M,
    )  # fmt: skip
    for minute in (0, 2, 4, 6):
        with time_machine.travel(NOW + minute * M, tick=False):
            reading_record(metric, value="9", by=coordinator)
        beats(minute, minute + 2, every=1)
    beats(8, 10, every=1)
    with time_machine.travel(NOW + 10 * M, tick=False):
        reading_record(metric, value="0.5", by=coordinator)
    beats(10, 15)
    assert titles(routed, "/ok/slack") == [
        "ROLLBACK ALARM: Errors over 5% for 5 min",
        "Rollback alarm cleared: Errors over 5% for 5 min",
    ]
    dedup = f"launchcontrol/checkout-v2/trigger/{trigger.pk}"
    assert [(d["event_action"], d["dedup_key"]) for d in posted(routed.sink, "/ok/pd")] == [
        ("trigger", dedup),
        ("resolve", dedup),
    ]
    assert posted(routed.sink, "/ok/pd")[0]["payload"]["severity"] == "critical"


def test_holds_no_go_and_state_changes_reach_chat_not_the_pager(routed: Setup, coordinator: User) -> None:
    from checklists.services import gate_decide
    from plans.services import hold_end

    gate = factories.GateFactory(plan=routed.plan, name="Go/no-go", authority_role=None)
    with time_machine.travel(NOW + M, tick=False):
        routed.plan.status = "countdown"
        routed.plan.save(update_fields=["status"])
        gate_decide(gate, by=coordinator, decision="no_go", reason="Payments not ready")
    with time_machine.travel(NOW + 5 * M, tick=False):
        hold_end(routed.plan, by=coordinator, override="Payments fixed; the gate is polled again")  # plans.guards
    beats(0, 8)
    assert titles(routed, "/ok/slack") == [
        "NO-GO: Go/no-go: NO-GO: Payments not ready",
        "HOLD: NO-GO at Go/no-go: Payments not ready",
        posted(routed.sink, "/ok/slack")[2]["blocks"][0]["text"]["text"],
    ]
    assert titles(routed, "/ok/slack")[2].startswith("Resumed: Hold ended after 4m")
    assert posted(routed.sink, "/ok/pd") == []
    assert not Delivery.objects.filter(channel_kind="pagerduty").exclude(status=DeliveryStatus.SENT).exists()


def test_an_sla_breach_is_told_once_when_the_response_time_passes(routed: Setup, coordinator: User) -> None:
    from issues.models import SeveritySLA

    SeveritySLA.objects.create(plan=routed.plan, severity="high", response_within=timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        issue_open(routed.plan, by=coordinator, title="Slow", severity="high", description="", owner_role=routed.tech)
    beats(0, 15)
    assert titles(routed, "/ok/slack") == [
        "High issue #1 opened: Slow",
        "SLA breached: high issue #1 Slow is not acknowledged (due Tue 1 Dec 12:10 UTC)",
    ]
    assert posted(routed.sink, "/ok/pd") == []  # below the pager's floor (critical)
