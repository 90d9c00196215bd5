"""A plan file's ``rollout:`` section (docs/plan-format.md): imported into stages, exported back byte for
byte, bad input named by its line with nothing saved; the Midas template's soft launch as four stages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from launch.format import parse_plan_text
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan, Rollout, RolloutStage
from tests.launch.test_template_facts import make
from tests.plans.test_format import import_errors, replace

pytestmark = pytest.mark.django_db

PLAN = """\
format: 1
name: Shop launch
roles:
  - name: SRE
  - name: Release manager
metrics:
  - name: Error rate
    comparator: <
    target: 1
    unit: '%'
  - name: Latency
    comparator: <
    target: 300
    unit: ms
  - name: Mood
rollout:
  authority: Release manager
  stages:
    - name: Canary
      percent: 10
      soak: 30m
      metrics:
        - Error rate
        - Latency
    - name: Half
      percent: 50
      soak: 1h
      metrics:
        - Error rate
    - name: Everyone
      percent: 100
"""


def _import(text: str = PLAN) -> Plan:
    return import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")


def test_stages_are_imported_in_order() -> None:
    plan = _import()
    rollout = Rollout.objects.select_related("authority_role").get(plan=plan)
    assert rollout.authority_role is not None and rollout.authority_role.name == "Release manager"
    assert rollout.current == 0 and rollout.stage_started_at is None
    stages = list(RolloutStage.objects.filter(rollout=rollout).order_by("order"))
    assert [(s.name, s.percent, s.soak) for s in stages] == [
        ("Canary", 10, timedelta(minutes=30)),
        ("Half", 50, timedelta(hours=1)),
        ("Everyone", 100, timedelta(0)),
    ]
    assert sorted(m.name for m in stages[0].metrics.all()) == ["Error rate", "Latency"]


def test_round_trip_byte_for_byte() -> None:
    exported = export_plan(_import())
    body = exported.split("\n", 3)[3]  # (the header names the plan and the export time)
    assert body[body.index("rollout:") :] == PLAN[PLAN.index("rollout:") :]
    again = _import(exported)
    assert export_plan(again).split("\n", 3)[3] == body
    assert parse_plan_text(exported).doc.rollout == parse_plan_text(PLAN).doc.rollout


def test_a_plan_without_stages_exports_no_rollout() -> None:
    text = PLAN[: PLAN.index("rollout:")]
    plan = _import(text)
    assert not Rollout.objects.filter(plan=plan).exists()
    assert "rollout" not in export_plan(plan)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  authority: Release manager", "  authority: CTO", "plan.yaml:17: unknown role 'CTO'"),
        ("        - Latency\n", "        - Throughput\n", "plan.yaml:24: unknown metric 'Throughput'"),
        ("        - Latency\n", "        - Mood\n", "plan.yaml:24: metric 'Mood' has no target to hold"),
        ("        - Latency\n", "        - Error rate\n", "plan.yaml:24: metric 'Error rate' is named twice"),
        ("      percent: 50", "      percent: 5", "plan.yaml:26: each stage takes more traffic than the one before"),
        ("      percent: 100", "      percent: 101", "plan.yaml:31: rollout.stages[2].percent"),
        ("      percent: 100", "      percent: ten", "plan.yaml:31: rollout.stages[2].percent"),
        ("      soak: 1h", "      soak: an hour", "plan.yaml:27: rollout.stages[1].soak"),
        ("    - name: Half", "    - name: Canary", "plan.yaml:25: duplicate stage name 'Canary'"),
        ("      soak: 30m\n", "      soak: 30m\n      traffic: 10\n", "plan.yaml:22: unknown field 'traffic'"),
        ("  stages:\n", "  steps:\n", "plan.yaml:18: unknown field 'steps' in rollout"),
    ],
)
def test_bad_rollouts_are_errors_with_their_line(old: str, new: str, expected: str) -> None:
    lines = import_errors(replace(PLAN, old, new), tz="UTC")
    assert any(line.startswith(expected) for line in lines), lines
    assert not Rollout.objects.exists() and not RolloutStage.objects.exists()


def test_midas_soft_launch_is_four_stages_decided_by_the_executive_team() -> None:
    """Seed: "10% of planned traffic capacity" (07:00), "Increase traffic to 25%" (08:00), "Scale to 50%
    capacity" (11:00), "100% System Capacity" (12:00); "Decision Authority: Go/no-go decisions"."""
    plan = make("midas-lifestyle", "2026-12-06T06:00", tz="America/New_York")
    rollout = Rollout.objects.select_related("authority_role").get(plan=plan)
    assert rollout.authority_role is not None and rollout.authority_role.name == "Executive Team"
    stages = list(rollout.stages.order_by("order"))
    assert [s.percent for s in stages] == [10, 25, 50, 100]
    assert [s.soak for s in stages] == [timedelta(hours=1), timedelta(hours=3), timedelta(hours=1), timedelta(0)]
    assert "Conversion Rate" in {m.name for m in stages[1].metrics.all()}
    assert {m.name for m in stages[0].metrics.all()} >= {"Error Rate", "Response Time", "Uptime"}
