"""A late notice says whose it is: an overdue item's names its owner role, a step's late and overdue notices
name the role that leads it (the role's backup gets them too, and would otherwise not know why)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from communications.sources import specs_for
from plans.models import Plan, StepStatus
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _bodies(plan: Plan, kind: str) -> set[str]:
    specs = specs_for(plan, T0 - timedelta(days=1), T0 + timedelta(hours=6))
    return {spec.render()[1] for spec in specs if spec.source_kind == kind}


def test_late_notices_name_the_role(plan: Plan) -> None:
    role = factories.RoleFactory(plan=plan, name="QA Lead", backup=factories.UserFactory(username="dana"))
    factories.ItemFactory(
        checklist__plan=plan, checklist__role=role, title="Performance checks", due_offset=-timedelta(hours=3)
    )
    factories.StepFactory(plan=plan, lead_role=role, name="Smoke tests", offset=-timedelta(hours=2))
    running = factories.StepFactory(plan=plan, lead_role=role, name="Soak", offset=-timedelta(hours=1))
    running.status = StepStatus.IN_PROGRESS
    running.save()
    (item,) = _bodies(plan, "item.overdue")
    assert "Was due T-3h (Tue 1 Dec 09:00 GMT) and is still open; owner QA Lead." in item
    (late,) = _bodies(plan, "step.late_start")
    assert "should have started at Tue 1 Dec 10:00 GMT and has not; you lead it as QA Lead." in late
    (overdue,) = _bodies(plan, "step.overdue")
    assert "should have finished at Tue 1 Dec 11:30 GMT and is not done; you lead it as QA Lead." in overdue
