"""What a customer update says users will notice (communications.customer): an issue the team is fixing in the
new system is told only once the launch has reached the users. Before that (scheduled, counting down, paused)
they are on what they had, and the status page's banner says "All Systems Operational" beside the post: the
demo's hourly posts told customers "some things may not work as expected while we fix a known problem" two
hours before T-0, for a staging CDN's slow thumbnails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from communications.customer import customer_copy
from issues.models import Severity
from plans.models import PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BEFORE, AFTER = T0 - timedelta(hours=2), T0 + timedelta(hours=1)
NOTHING_YET = "What you will notice: nothing changes for you yet."
FIXING = "What you may notice: some things may not work as expected while we fix a known problem."
AS_USUAL = "What you will notice: everything should work as usual."


@pytest.mark.parametrize(
    ("status", "now", "with_issue", "without_issue"),
    [
        (PlanStatus.SCHEDULED, BEFORE, NOTHING_YET, NOTHING_YET),
        (PlanStatus.COUNTDOWN, BEFORE, NOTHING_YET, NOTHING_YET),
        (PlanStatus.HOLD, BEFORE, NOTHING_YET, NOTHING_YET),
        (PlanStatus.HOLD, AFTER, NOTHING_YET, NOTHING_YET),  # held past T-0: nothing has reached users
        (PlanStatus.COUNTDOWN, AFTER, FIXING, AS_USUAL),  # T-0 passed, the switch is happening
        (PlanStatus.LAUNCHED, AFTER, FIXING, AS_USUAL),
        (PlanStatus.LAUNCHED, BEFORE, FIXING, AS_USUAL),  # launched early
        (PlanStatus.STABILIZING, AFTER, FIXING, AS_USUAL),
        (PlanStatus.COMPLETED, AFTER, FIXING, AS_USUAL),
        (
            PlanStatus.ROLLED_BACK,
            AFTER,
            "What you will notice: everything works as it did before the launch.",
            "What you will notice: everything works as it did before the launch.",
        ),
        (
            PlanStatus.ABORTED,
            BEFORE,
            "What you will notice: nothing; everything stays as it is.",
            "What you will notice: nothing; everything stays as it is.",
        ),
    ],
)
@pytest.mark.django_db
def test_what_users_will_notice(
    coordinator: User, status: str, now: datetime, with_issue: str, without_issue: str
) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=status)
    factories.IssueFactory(plan=plan, title="Thumbnails slow on the staging CDN", severity=Severity.LOW)
    assert without_issue in customer_copy(plan, now=now)  # a low issue is never told
    factories.IssueFactory(plan=plan, title="Replication lag on the read replica", severity=Severity.HIGH)
    body = customer_copy(plan, now=now)
    assert with_issue in body
    assert "Replication" not in body and "staging" not in body  # an issue's own words never reach customers
