from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from checklists.models import Item, ItemStatus
from issues.models import Issue
from plans.models import MetricReading, Plan, PlanStatus
from tests.plans.test_format import row_counts

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_django import Settings


def run_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_a_live_launch_and_is_idempotent(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    first = run_demo()
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert f"Sign in at http://127.0.0.1:8000/ as coordinator / {password}" in first
    user = get_user_model().objects.get(username="coordinator")
    assert user.check_password(password) and user.password != password and user.is_staff

    plan = Plan.objects.get(slug="demo-heypeter")
    assert plan.status == PlanStatus.COUNTDOWN and plan.coordinator == user
    ahead = plan.t0 - timezone.now()
    assert 110 * 60 < ahead.total_seconds() <= 120 * 60
    assert Item.objects.filter(plan=plan, status=ItemStatus.DONE).count() >= 5
    assert sorted(Issue.objects.filter(plan=plan).values_list("severity", flat=True)) == ["high", "low"]
    assert MetricReading.objects.filter(metric__plan=plan).count() >= 3
    dba = plan.roles.get(slug="dba")
    assert dba.primary is not None and dba.backup is not None
    assert dba.primary.username == "dba" and dba.backup.username == "qa"
    assert dba.primary.check_password(password)

    before = row_counts()
    again = run_demo()
    assert row_counts() == before
    assert f"as coordinator / {password}" in again and "left as it is" in again
