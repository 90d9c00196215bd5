"""The plan format's ``training:`` and ``readiness:`` (issue 13): errors at FILE:LINE, nothing saved, and
an export that reads back to the same plan (and the same bytes)."""

from __future__ import annotations

import pytest

from launch.format import normalise, parse_plan_text
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from readiness.models import Track

from .world import PLAN

pytestmark = pytest.mark.django_db


def test_the_export_reads_back_the_same() -> None:
    plan = import_plan_text(PLAN, filename="r.yaml", t0="2026-12-01T12:00", tz="UTC")
    exported = export_plan(plan)
    assert "training:\n  - audience: Support team\n    lead: Support Lead\n" in exported
    assert "    - {gate: Go/No-Go, track: Instructors, min: 90}" in exported or "min: 90" in exported
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(PLAN).doc)
    again = import_plan_text(exported, filename="e.yaml", t0="2026-12-01T12:00", tz="UTC")
    body = exported.split("\n", 3)[3]  # the header names the plan's slug and the export's time
    assert export_plan(again).split("\n", 3)[3] == body


BAD = """\
format: 1
name: Bad readiness
roles:
  - name: Support Lead
gates:
  - name: Go/No-Go
training:
  - audience: Support team
    lead: Nobody
    sessions:
      - {title: Intensive, at: T-2d, trainer: Support Lead}
    attendees:
      - {name: Ana, email: ana@example.com, session: Yoga}
      - {name: Ana again, email: ANA@example.com}
readiness:
  items:
    - {role: Ghost, title: Runbooks read}
  gates:
    - {gate: Go/No-Go, track: Support team, min: 100}
    - {gate: Launch, track: Students, min: 150}
"""


def test_errors_name_the_file_and_line_and_nothing_is_saved() -> None:
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(BAD, filename="bad.yaml", t0="2026-12-01T12:00", tz="UTC")
    text = str(exc.value)
    assert "bad.yaml:9: unknown role 'Nobody'" in text
    assert "bad.yaml:13: 'Support team' has no session 'Yoga'" in text
    assert "bad.yaml:14: 'ANA@example.com' is expected twice in 'Support team'" in text
    assert "bad.yaml:17: unknown role 'Ghost'" in text
    assert "bad.yaml:20: readiness.gates[1].min: Input should be less than or equal to 100" in text
    assert not Track.objects.exists()


def test_a_clockless_plan_dates_its_sessions() -> None:
    text = PLAN.replace("format: 1\n", "format: 1\nclockless: true\n").replace("    at: T-1h\n", "")
    with pytest.raises(PlanFormatError, match="session 'Support intensive' takes date, not at"):
        import_plan_text(text, filename="c.yaml", t0=None, tz="UTC")
    dated = text.replace("at: T-2d,", "date: 2026-11-29T09:00,").replace("at: T-3d,", "date: '2026-11-28T09:00',")
    plan = import_plan_text(dated, filename="c.yaml", t0=None, tz="UTC")
    exported = export_plan(plan)
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(dated).doc)
