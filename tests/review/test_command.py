"""``manage.py review_report``: each format, to a file or folder, and a clear error for an unknown plan."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.models import Plan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(plan: Plan) -> Plan:
    factories.StepFactory(plan=plan, name="Cut over | DNS")
    return plan


def test_markdown_to_stdout(launched: Plan) -> None:
    out = StringIO()
    call_command("review_report", launched.slug, "--format", "md", "--at", "2026-12-01T13:00", stdout=out)
    text = out.getvalue()
    assert text.startswith(f"# Launch review: {launched.name}")
    assert "| Cut over \\| DNS |" in text  # a pipe in a name does not break the table


def test_pdf_csv_and_decisions_to_files(launched: Plan, tmp_path: Path) -> None:
    call_command("review_report", launched.slug, "--format", "pdf", "--out", str(tmp_path / "r.pdf"), stdout=StringIO())
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    call_command("review_report", launched.slug, "--format", "csv", "--out", str(tmp_path / "data"), stdout=StringIO())
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "decisions.csv",
        "handoff-carried.csv",
        "handoff.csv",
        "issues.csv",
        "items.csv",
        "readings.csv",
        "steps.csv",
    ]
    assert (tmp_path / "data" / "steps.csv").read_text().splitlines()[1].startswith("Cut over | DNS,")
    call_command(
        "review_report", launched.slug, "--format", "decisions", "--out", str(tmp_path / "d.csv"), stdout=StringIO()
    )
    assert (tmp_path / "d.csv").read_text().splitlines()[0] == "at,kind,who,role,what,why"


def test_unknown_plan_is_an_error() -> None:
    with pytest.raises(CommandError, match="no plan with slug 'nope'"):
        call_command("review_report", "nope")


def test_at_reads_the_review_as_of_then(launched: Plan) -> None:
    out = StringIO()
    call_command("review_report", launched.slug, "--at", "2026-12-01T13:00:00+00:00", stdout=out)
    as_of = datetime(2026, 12, 1, 13, tzinfo=UTC).astimezone(launched.zone)
    assert f"as of {as_of:%a} {as_of.day} {as_of:%b %H:%M}" in out.getvalue()
