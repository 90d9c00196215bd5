"""A plan file's ``handoff:`` section and a metric's ``measure:`` (docs/plan-format.md): imported into a
planned handoff and the metric, exported back byte for byte, bad input named by its line with nothing
saved; the training centre's template declares its handoff and its daily post-launch checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checklists.models import Recurrence
from launch.format import parse_plan_text
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan
from review.models import Handoff, HandoffStatus
from tests.launch.test_template_facts import make
from tests.plans.test_format import import_errors, replace

pytestmark = pytest.mark.django_db

PLAN = """\
format: 1
name: Shop launch
roles:
  - name: SRE
  - name: Operations
metrics:
  - name: Uptime
    comparator: '>'
    target: 99.9
    unit: '%'
    window: first week
    measure: mean
  - name: Adoption
    comparator: '>='
    target: 500
    unit: users
    window: first week
    measure: latest
  - name: Error rate
    comparator: <
    target: 1
    unit: '%'
    window: first 72 hours
handoff:
  to: Operations
  systems:
    - Shop
    - Payments gateway
  runbooks:
    - Rollback runbook
  contacts:
    - Payments vendor desk
"""


def _import(text: str = PLAN) -> Plan:
    return import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")


def test_the_handoff_and_the_measures_are_imported() -> None:
    plan = _import()
    handoff = Handoff.objects.select_related("to_role").get(plan=plan)
    assert handoff.status == HandoffStatus.PLANNED and handoff.to_role is not None
    assert (handoff.to_role.name, handoff.systems, handoff.contacts) == (
        "Operations",
        ["Shop", "Payments gateway"],
        ["Payments vendor desk"],
    )
    assert list(plan.metrics.order_by("order").values_list("measure", flat=True)) == ["mean", "latest", "every"]


def test_round_trip_byte_for_byte() -> None:
    exported = export_plan(_import())
    body = exported.split("\n", 3)[3]  # (the header names the plan and the export time)
    assert body[body.index("metrics:") :] == PLAN[PLAN.index("metrics:") :]
    again = _import(exported)
    assert export_plan(again).split("\n", 3)[3] == body
    assert parse_plan_text(exported).doc.handoff == parse_plan_text(PLAN).doc.handoff


def test_a_plan_without_a_handoff_exports_none() -> None:
    plan = _import(PLAN[: PLAN.index("handoff:")])
    assert not Handoff.objects.filter(plan=plan).exists()
    assert "handoff" not in export_plan(plan)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  to: Operations", "  to: Ops team", "plan.yaml:25: unknown role 'Ops team'"),
        ("    measure: mean", "    measure: median", "plan.yaml:12: metrics[0].measure: Input should be"),
        ("  to: Operations", "  to: Operations\n  when: T+7d", "plan.yaml:26: unknown field 'when' in handoff"),
    ],
)
def test_bad_input_names_its_line_and_saves_nothing(old: str, new: str, expected: str) -> None:
    lines = import_errors(replace(PLAN, old, new), t0="2026-12-01T12:00", tz="UTC")
    assert any(line.startswith(expected) for line in lines), lines


def test_nothing_handed_over_is_refused() -> None:
    text = PLAN[: PLAN.index("  systems:")]
    lines = import_errors(text, t0="2026-12-01T12:00", tz="UTC")
    assert any("say what is handed over" in line for line in lines), lines


def test_the_training_centre_hands_over_to_operations_and_checks_daily() -> None:
    plan = make("english-training-center-phase8", t0="2026-12-01T08:00")
    handoff = Handoff.objects.select_related("to_role").get(plan=plan)
    assert handoff.to_role is not None and handoff.to_role.name == "Operations Representative"
    assert "Alert handling procedures" in handoff.runbooks
    daily = Recurrence.objects.filter(plan=plan, item__title__endswith="(daily)")
    assert sorted(r.item.title for r in daily if r.item is not None) == [
        "Backup verification (daily)",
        "User adoption metrics (daily)",
    ]
    assert {(r.every, r.start, r.until) for r in daily} == {(timedelta(days=1), timedelta(days=1), timedelta(days=7))}
    measures = dict(plan.metrics.values_list("name", "measure"))
    assert (measures["User adoption"], measures["System uptime"]) == ("latest", "mean")
