from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.management import CommandError, call_command

from launch.format import normalise, parse_plan_text
from plans.models import Plan
from tests.plans.format_samples import SMALL
from tests.plans.test_format import row_counts

if TYPE_CHECKING:
    from pathlib import Path

    from django.contrib.auth.models import User


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


@pytest.mark.django_db
def test_import_prints_slug_and_export_prints_yaml(small_file: Path) -> None:
    out = StringIO()
    call_command("import_plan", str(small_file), "--t0", "2026-12-01T12:00", "--tz", "Europe/London", stdout=out)
    assert out.getvalue().strip() == "small-launch"
    out = StringIO()
    call_command("export_plan", "small-launch", stdout=out)
    assert normalise(parse_plan_text(out.getvalue()).doc) == normalise(parse_plan_text(SMALL).doc)


@pytest.mark.django_db
def test_import_with_slug_and_coordinator(small_file: Path, coordinator: User) -> None:
    out = StringIO()
    call_command(
        "import_plan",
        str(small_file),
        "--t0",
        "2026-12-01T12:00",
        "--tz",
        "UTC",
        "--slug",
        "dress-rehearsal",
        "--coordinator",
        coordinator.username,
        stdout=out,
    )
    assert Plan.objects.get(slug="dress-rehearsal").coordinator == coordinator


@pytest.mark.django_db
def test_bad_file_exits_non_zero_with_error_lines(small_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_file.write_text(SMALL.replace("    authority: Technical Lead", "    authority: CTO"))
    before = row_counts()
    with pytest.raises(SystemExit) as exc:
        call_command("import_plan", str(small_file), "--t0", "2026-12-01T12:00", "--tz", "UTC")
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip() == f"error: {small_file}:31: unknown role 'CTO'"
    assert row_counts() == before


@pytest.mark.django_db
def test_unknown_time_zone_exits_non_zero(small_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        call_command("import_plan", str(small_file), "--t0", "2026-12-01T12:00", "--tz", "Mars/Olympus")
    assert exc.value.code == 1
    assert capsys.readouterr().err.strip() == f"error: {small_file}: --tz: unknown time zone 'Mars/Olympus'"
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_missing_file_unknown_plan_and_unknown_template() -> None:
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_plan", "/nonexistent.yaml", "--t0", "2026-12-01T12:00", "--tz", "UTC", stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().strip() == "error: /nonexistent.yaml: cannot read the file: No such file or directory"
    with pytest.raises(CommandError, match="no plan with slug"):
        call_command("export_plan", "nope")
    with pytest.raises(CommandError, match="unknown template 'nope'"):
        call_command("import_plan", "--template", "nope", "--t0", "2026-12-01T12:00")


@pytest.mark.django_db
def test_list_templates_and_import_by_template() -> None:
    out = StringIO()
    call_command("list_templates", stdout=out)
    keys = [line.split("\t")[0] for line in out.getvalue().splitlines()]
    assert "heypeter-academy-lms" in keys
    out = StringIO()
    call_command("import_plan", "--template", "heypeter-academy-lms", "--t0", "2026-12-01T12:00", stdout=out)
    plan = Plan.objects.get(slug=out.getvalue().strip())
    assert plan.source_template == "heypeter-academy-lms"
    assert plan.timezone == "UTC"  # the template's own zone, no --tz given
