"""Steps placed `after` others (and gates) with estimates, deadlines and the maintenance window in the plan
format: the runbooks in tests/runbooks/ import with every element in a field and round-trip byte for
byte (apart from the header comment); the importer names the line of a bad `after`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checklists.models import Gate
from launch.format import PlanFormatError
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan, Step

RUNBOOKS = Path(__file__).resolve().parent.parent / "runbooks"
H = timedelta(hours=1)
M = timedelta(minutes=1)


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def _import(name: str, t0: str | None = "2026-12-05T22:00") -> tuple[Plan, str]:
    text = (RUNBOOKS / name).read_text()
    return import_plan_text(text, filename=name, t0=t0), text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["database-cutover.yaml", "migration-weekend.yaml", "launch-coordination.yaml"])
def test_runbooks_round_trip_byte_for_byte(name: str) -> None:
    plan, text = _import(name, t0=None if name.startswith("launch-") else "2026-12-05T22:00")
    exported = export_plan(plan)
    assert _body(exported) == _body(text)
    again = import_plan_text(exported, filename=name, t0=None if plan.clockless else "2026-12-05T22:00")
    assert _body(export_plan(again)) == _body(text)


@pytest.mark.django_db
def test_a_clockless_checklist_imports_without_t0() -> None:
    plan, _ = _import("launch-coordination.yaml", t0=None)
    assert plan.clockless and not plan.steps.exists()
    assert plan.items.count() == 12 and not plan.items.filter(due_offset__isnull=False).exists()
    assert "--t0" not in export_plan(plan).splitlines()[1]


@pytest.mark.django_db
def test_a_clockless_plan_refuses_offsets_and_a_t0() -> None:
    text = (RUNBOOKS / "launch-coordination.yaml").read_text()
    dated = text.replace(
        "        section: Architecture\n        gate: Launch review",
        "        section: Architecture\n        gate: Launch review\n        due: T-7d",
        1,
    )
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(dated, filename="c.yaml", t0=None)
    assert exc.value.lines() == [
        "c.yaml:34: a clockless plan has no T-0: item 'Request flow from user to front end to back end is "
        "documented' has no due offset (use due_date)"
    ]
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="c.yaml", t0="2026-12-01T12:00")
    assert exc.value.lines() == ["c.yaml: a clockless plan has no T-0: leave out --t0"]
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text((RUNBOOKS / "database-cutover.yaml").read_text(), filename="d.yaml", t0=None)
    assert exc.value.lines() == ["d.yaml: --t0: T-0 is required"]


@pytest.mark.django_db
def test_the_cutover_is_timed_step_after_step() -> None:
    plan, _ = _import("database-cutover.yaml")
    assert plan.window_end == 4 * H
    steps = {s.name: s for s in Step.objects.filter(plan=plan)}
    assert steps["Announce maintenance"].relative is False
    assert steps["Put the application in maintenance mode"].offset == 5 * M
    assert steps["Final backup of the old cluster"].estimate == 45 * M
    # the gate has no time of its own: it is due when its criterion's step (Compare row counts) ends
    promote = steps["Promote the new primary"]
    assert promote.offset == H + 45 * M and promote.deadline == 2 * H + 15 * M
    assert list(promote.after_gates.values_list("name", flat=True)) == ["Go for switchover"]
    assert steps["Announce completion"].offset == 2 * H + 50 * M
    assert steps["Announce completion"].planned_finish == plan.t0 + 2 * H + 55 * M


@pytest.mark.django_db
def test_the_weekend_waits_for_a_gate_after_t0_and_keeps_wall_clock_days() -> None:
    plan, _ = _import("migration-weekend.yaml", t0="2026-10-30T18:00")  # Friday after the clocks went back
    gate = Gate.objects.get(plan=plan, name="Go/No-Go")
    assert gate.offset == 20 * H
    opening = Step.objects.get(plan=plan, name="Open the new ERP to users")
    assert opening.offset == 20 * H and list(opening.after_gates.all()) == [gate]
    rehearsal = Step.objects.get(plan=plan, name="Dress rehearsal sign-off")
    assert plan.local(rehearsal.planned_start).strftime("%a %d %b %H:%M %Z") == "Fri 23 Oct 18:00 BST"
    assert rehearsal.planned_start == datetime(2026, 10, 23, 17, 0, tzinfo=UTC)


def _errors(text: str) -> list[str]:
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    return list(exc.value.lines())


PLAN = """\
format: 1
name: Bad cutover
roles:
  - name: DBA
steps:
  - name: Backup
    at: T+0
    estimate: 30m
  - name: Migrate
    after: [Backup]
    estimate: 1h
  - name: Verify
    after: [Migrate]
gates:
  - name: Go
    at: T+2h
checklists:
  - name: Criteria
    items:
      - title: Migrated
        step: Migrate
        gate: Go
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("after: [Migrate]", "after: [Migrat]", "plan.yaml:13: unknown step or gate 'Migrat' in after"),
        ("after: [Backup]", "after: [Verify]", "plan.yaml:13: dependency cycle: Migrate -> Verify -> Migrate"),
        # Backup waits for Go, whose criterion names Migrate, which comes after Backup
        (
            "  - name: Backup\n    at: T+0",
            "  - name: Backup\n    after: [Go]",
            "plan.yaml:10: dependency cycle: Backup",
        ),
        ("after: [Backup]", "at: T+1h\n    after: [Backup]", "plan.yaml:11: step 'Migrate': give at or after"),
        ("    after: [Migrate]\n", "", "plan.yaml:12: step 'Verify' needs at (an offset) or after"),
        ("after: [Migrate]", "after: [Migrate]\n    depends_on: [Backup]", "plan.yaml:14: step 'Verify' is placed"),
        ("estimate: 1h", "estimate: soon", "plan.yaml:11: steps[1].estimate: malformed duration 'soon'"),
    ],
)
def test_a_bad_after_names_its_line(old: str, new: str, expected: str) -> None:
    text = PLAN.replace(old, new, 1)
    assert text != PLAN
    assert any(line.startswith(expected) for line in _errors(text)), _errors(text)


@pytest.mark.django_db
def test_the_sample_plan_imports() -> None:
    plan = import_plan_text(PLAN, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert Step.objects.get(plan=plan, name="Verify").offset == 90 * M


@pytest.mark.django_db
def test_import_plan_takes_a_clockless_checklist_without_t0() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("import_plan", str(RUNBOOKS / "launch-coordination.yaml"), stdout=out)
    plan = Plan.objects.get(slug=out.getvalue().strip())
    assert plan.clockless and plan.timezone == "UTC"
