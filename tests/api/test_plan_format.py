"""A plan file's ``alerts:`` section (docs/plan-format.md): imported into alert routes, validated with
``FILE:LINE`` errors and nothing saved, exported back the same."""

from __future__ import annotations

import pytest

from api.models import AlertRoute
from launch.format import parse_plan_text
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan
from tests.plans.test_format import import_errors, replace

pytestmark = pytest.mark.django_db

PLAN = """\
format: 1
name: Checkout launch
roles:
  - name: SRE
metrics:
  - name: Error rate
    comparator: <
    target: 1
    unit: '%'
rollback_triggers:
  - description: Checkout is down
  - description: Errors over 5 %
    metric: Error rate
    comparator: '>'
    threshold: 5
alerts:
  - alertname: HighErrorRate
    labels:
      service: checkout
    metric: Error rate
    value: B
  - alertname: CheckoutDown
    source: alertmanager
    trigger: Checkout is down
  - labels:
      severity: page
    issue: critical
    owner: SRE
"""


def _import(text: str = PLAN) -> Plan:
    return import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")


def test_alert_routes_are_imported() -> None:
    plan = _import()
    routes = list(AlertRoute.objects.filter(plan=plan).select_related("metric", "trigger", "owner_role"))
    assert [r.action for r in routes] == ["metric", "trigger", "issue"]
    metric, trigger, issue = routes
    assert metric.alertname == "HighErrorRate" and metric.labels == {"service": "checkout"}
    assert metric.metric is not None and metric.metric.name == "Error rate" and metric.value == "B"
    assert trigger.trigger is not None and trigger.trigger.description == "Checkout is down"
    assert trigger.source == "alertmanager"
    assert issue.severity == "critical" and issue.owner_role is not None and issue.owner_role.name == "SRE"


def test_alert_routes_round_trip() -> None:
    plan = _import()
    exported = export_plan(plan)
    assert "alerts:" in exported
    assert parse_plan_text(exported).doc.alerts == parse_plan_text(PLAN).doc.alerts
    again = _import(exported)
    assert export_plan(again).split("\n", 3)[3] == exported.split("\n", 3)[3]  # (the header names the plan)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    metric: Error rate\n    value: B",
            "    metric: Latency\n    value: B",
            "plan.yaml:20: unknown metric 'Latency'",
        ),
        (
            "    trigger: Checkout is down",
            "    trigger: Checkout is slow",
            "unknown rollback trigger 'Checkout is slow'",
        ),
        ("    trigger: Checkout is down", "    trigger: Errors over 5 %", "plan.yaml:24: an automatic trigger"),
        ("    owner: SRE", "    owner: DBA", "plan.yaml:28: unknown role 'DBA'"),
        ("    issue: critical\n", "    issue: urgent\n", "plan.yaml:27: alerts[2].issue"),
        ("    issue: critical\n", "", "plan.yaml:25: say what the alert does"),
        ("    issue: critical\n", "    issue: critical\n    metric: Error rate\n", "exactly one of metric"),
        ("  - labels:\n      severity: page\n", "  - labels: {}\n", "match alerts by alertname, labels or both"),
        ("    source: alertmanager", "    source: nagios", "plan.yaml:23: alerts[1].source"),
        ("    value: B\n", "    value: B\n    owner: SRE\n", "owner is the role an alert's issue goes to"),
        ("    labels:\n      service: checkout", "    labels:\n      service-name: checkout", "alerts[0].labels"),
    ],
)
def test_bad_alert_routes_are_errors_with_their_line(old: str, new: str, expected: str) -> None:
    lines = import_errors(replace(PLAN, old, new), tz="UTC")
    assert any(expected in line for line in lines), lines
    assert not AlertRoute.objects.exists()
