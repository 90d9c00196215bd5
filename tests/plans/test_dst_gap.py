"""A wall-clock time the plan's zone skips (01:30 on the morning London's clocks go forward from 01:00 to
02:00) names no moment: it was read an hour later without a word (a T-0 typed as 01:30 stored, shown and
exported as 02:30). It is refused, naming the gap, wherever such a time is typed: ``import_plan --t0``, the
admin's import form, the re-baseline form and its preview, a clockless plan's ``due_date``. A time the
clocks pass twice is its first occurrence, and the export keeps the second one's UTC offset."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text, parse_t0
from plans.localtime import gap_problem, local_moment, wall_clock_text
from plans.models import Plan
from plans.validators import BoundsError, parse_datetime_input
from tests.plans.format_samples import SMALL

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

LONDON = ZoneInfo("Europe/London")
GAP = "01:30 does not exist on Sun 29 Mar 2026 in Europe/London: the clocks go forward from 01:00 to 02:00"
CLOCKLESS = """\
format: 1
name: Clockless
clockless: true
timezone: Europe/London
checklists:
  - name: C
    items:
      - {title: Order racks, due_date: 2026-03-29T01:30}
      - {title: Ship racks, due_date: 2026-03-29T02:00}
"""


def test_a_skipped_time_is_refused_naming_the_gap() -> None:
    assert gap_problem(datetime(2026, 3, 29, 1, 30), LONDON) == GAP
    assert gap_problem(datetime(2026, 3, 8, 2, 15), ZoneInfo("America/New_York")) == (
        "02:15 does not exist on Sun 8 Mar 2026 in America/New_York: the clocks go forward from 02:00 to 03:00"
    )
    assert gap_problem(datetime(2026, 3, 29, 2, 0), LONDON) is None
    with pytest.raises(BoundsError, match=f"T-0: {GAP}"):
        parse_datetime_input("2026-03-29T01:30", LONDON, field="T-0", t0=True)
    with pytest.raises(BoundsError, match=GAP):
        parse_t0("2026-03-29T01:30", "Europe/London")


def test_a_time_passed_twice_is_its_first_occurrence_and_exports_back_as_itself() -> None:
    first = local_moment(datetime(2026, 10, 25, 1, 30), LONDON)
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still summer time
    assert parse_t0("2026-10-25T01:30", "Europe/London") == first
    assert wall_clock_text(first) == "2026-10-25T01:30"
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(LONDON)
    assert wall_clock_text(second) == "2026-10-25T01:30+00:00"
    assert parse_t0(wall_clock_text(second), "Europe/London").astimezone(UTC) == second.astimezone(UTC)


@pytest.mark.django_db
def test_import_plan_refuses_a_t0_in_the_gap(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(SMALL)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_plan", str(path), "--t0", "2026-03-29T01:30", "--tz", "Europe/London", stdout=StringIO(), stderr=err
        )
    assert err.getvalue().strip() == f"error: {path}: --t0: {GAP}"
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_the_export_keeps_the_second_occurrence(admin_user: User) -> None:
    plan = import_plan_text(SMALL, t0="2026-10-25T01:30+00:00", tz="Europe/London", coordinator=admin_user)
    assert plan.t0 == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert "--t0 2026-10-25T01:30+00:00 --tz Europe/London" in export_plan(plan)


@pytest.mark.django_db
def test_a_clockless_due_date_in_the_gap_is_refused_with_its_line() -> None:
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(CLOCKLESS, filename="cl.yaml", t0=None)
    assert exc.value.lines() == [f"cl.yaml:8: checklists[0].items[0].due_date: due date '2026-03-29T01:30': {GAP}"]
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_the_rebaseline_form_and_its_preview_refuse_the_gap(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    before = plan.t0
    response = client.post(
        reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": "2026-03-29T01:30", "reason": "x"}, follow=True
    )
    assert response.status_code == 200 and GAP in response.content.decode()
    plan.refresh_from_db()
    assert plan.t0 == before
    preview = client.get(reverse("plans:detail", args=[plan.slug]), {"new_t0": "2026-03-29T01:30"})
    assert preview.status_code == 200 and GAP in preview.content.decode()
    assert "moves" not in preview.content.decode() or "to 01:30" not in preview.content.decode()


@pytest.mark.django_db
def test_the_admin_import_form_refuses_the_gap(admin_client: Client) -> None:
    upload = SimpleUploadedFile("launch.yaml", SMALL.encode(), "application/yaml")
    data = {"t0": "2026-03-29T01:30", "timezone": "Europe/London", "name": "", "slug": "", "file": upload}
    response = admin_client.post(reverse("admin:plans_plan_from_file"), data)
    assert response.status_code == 200 and GAP in response.content.decode()
    assert not Plan.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("t0", "tz", "says"),
    [
        ("2000-01-01T00:30", "Pacific/Kiritimati", "got 1999-12-31 10:30 UTC (2000-01-01 00:30 in Pacific/Kiritimati)"),
        ("0001-01-01T00:00", "UTC", "got 0001-01-01"),
    ],
)
def test_a_t0_out_of_range_is_shown_as_the_bounds_are(t0: str, tz: str, says: str) -> None:
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(SMALL, filename="plan.yaml", t0=t0, tz=tz)
    assert exc.value.lines() == [
        f"plan.yaml: --t0: T-0 must lie between 2000-01-01 and 2100-01-01 (UTC); {says}",
    ]
