"""Three launches of different outcomes, written straight into the tables (test set-up): the comparison's
fixture (test_compare.py, and the screenshot docs/compare-launches.png).

- **Spring** (1 Mar 2026, rolled back): two of three steps late (+45m, +30m overrun), a 60-minute hold,
  a critical issue 15 minutes after T-0 answered late, error rate out of range; its go/no-go passed with
  the support team 60 % trained (no bar).
- **Summer** (1 Jun 2026, completed): one of three steps late (+10m), a 20-minute hold, a critical issue
  at T+90m answered in time, error rate in range; support team 90 % trained at the gate (bar 90 %).
- **Autumn** (1 Sep 2026, completed): every step on time, no hold, no critical issue, error rate in range;
  support team 100 % trained at the gate (bar 100 %).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from plans.models import Event, Hold, MetricReading, Plan, PlanStatus
from tests import factories

M = timedelta(minutes=1)


def _launch(
    name: str,
    t0: datetime,
    status: str,
    late: list[int],
    hold: int,
    critical: tuple[int, int] | None,
    error_rate: str,
    trained: tuple[int, int | None] = (100, None),
) -> Plan:
    plan = factories.PlanFactory(name=f"{name} release", slug=name.lower(), t0=t0, status=status, timezone="UTC")
    for i, extra in enumerate([*late, 0, 0, 0][:3]):
        start = t0 + (i - 3) * 60 * M
        factories.StepFactory(
            plan=plan,
            name=f"Step {i + 1}",
            offset=(i - 3) * 60 * M,
            duration=30 * M,
            status="done",
            actual_start=start,
            actual_finish=start + (30 + extra) * M,
        )
    if hold:
        Hold.objects.create(
            plan=plan,
            reason="Waiting for the vendor",
            started_at=t0 - 4 * 60 * M,
            ended_at=t0 - 4 * 60 * M + hold * M,
            slip=hold * M,
        )
    if critical is not None:
        after, answered = critical
        factories.IssueFactory(
            plan=plan,
            severity="critical",
            reported_at=t0 + after * M,
            respond_by=t0 + (after + 15) * M,
            acknowledged_at=t0 + (after + answered) * M,
        )
    metric = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"))
    MetricReading.objects.create(metric=metric, value=Decimal(error_rate), recorded_at=t0 + 30 * M)
    done, bar = trained
    readiness = [{"track": "Support team", "percent": done, "completed": done // 10, "expected": 10, "bar": bar}]
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go-no-go")
    Event.objects.create(
        plan=plan,
        kind="gate.decided",
        at=t0 - 60 * M,
        summary="Go/No-Go: GO",
        data={"gate": gate.pk, "round": 1, "decision": "go", "reason": "", "readiness": readiness},
    )
    return plan


def three_launches() -> list[Plan]:
    return [
        _launch(
            "Spring",
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            PlanStatus.ROLLED_BACK,
            [45, 30],
            60,
            (15, 40),
            "0.8",
            (60, None),
        ),
        _launch(
            "Summer", datetime(2026, 6, 1, 12, tzinfo=UTC), PlanStatus.COMPLETED, [10], 20, (90, 5), "0.05", (90, 90)
        ),
        _launch("Autumn", datetime(2026, 9, 1, 12, tzinfo=UTC), PlanStatus.COMPLETED, [], 0, None, "0.02", (100, 100)),
    ]
