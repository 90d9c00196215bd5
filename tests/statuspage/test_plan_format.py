"""A plan file's ``components:`` section (docs/plan-format.md): imported into the status page's components,
validated with ``FILE:LINE`` errors and nothing saved, exported back byte for byte."""

from __future__ import annotations

import pytest

from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan
from statuspage.models import Component
from tests.plans.test_format import import_errors, replace

pytestmark = pytest.mark.django_db

BODY = """\
rollback_triggers:
  - description: Checkout is down
alerts:
  - alertname: ApiDown
    trigger: Checkout is down
components:
  - name: Web app
    description: The site customers use
  - name: API
    group: Platform
    alerts:
      - ApiDown
  - name: Payments
    only_show_if_degraded: true
    status: under_maintenance
    triggers:
      - Checkout is down
    on_trigger: partial_outage
    on_alert: degraded_performance
"""
PLAN = "format: 1\nname: Checkout launch\n" + BODY


def _import(text: str = PLAN) -> Plan:
    return import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")


def test_components_are_imported() -> None:
    plan = _import()
    web, api, payments = Component.objects.filter(plan=plan).prefetch_related("triggers")
    assert [web.name, api.name, payments.name] == ["Web app", "API", "Payments"]
    assert web.description == "The site customers use" and api.group == "Platform" and api.alerts == ["ApiDown"]
    assert payments.status == payments.set_status == "under_maintenance" and payments.only_show_if_degraded
    assert [t.description for t in payments.triggers.all()] == ["Checkout is down"]
    assert payments.on_trigger == "partial_outage" and payments.on_alert == "degraded_performance"


def test_components_round_trip_byte_for_byte() -> None:
    exported = export_plan(_import())
    assert exported.endswith(BODY), exported
    again = export_plan(_import(exported))
    assert again.split("\n", 3)[3] == exported.split("\n", 3)[3]  # (the header names the plan)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - name: API\n", "  - name: Web app\n", "plan.yaml:11: duplicate component name 'Web app'"),
        (
            "      - Checkout is down\n",
            "      - Checkout is slow\n",
            "plan.yaml:19: unknown rollback trigger 'Checkout is",
        ),
        (
            "      - ApiDown\n",
            "      - ApiGone\n",
            "plan.yaml:14: no alert route (alerts:) matches alertname 'ApiGone'",
        ),
        ("    status: under_maintenance", "    status: down", "plan.yaml:17: components[2].status"),
        ("    on_trigger: partial_outage", "    on_trigger: broken", "plan.yaml:20: components[2].on_trigger"),
        ("    group: Platform", "    colour: red", "plan.yaml:12: unknown field 'colour' in components[1]"),
        ("  - name: Web app\n", "  - name: ''\n", "plan.yaml:9: components[0].name"),
    ],
)
def test_bad_components_are_errors_with_their_line(old: str, new: str, expected: str) -> None:
    lines = import_errors(replace(PLAN, old, new), tz="UTC")
    assert any(expected in line for line in lines), lines
    assert not Component.objects.exists()


def test_the_status_page_is_part_of_the_plan_format_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "plan-format.md").read_text()
    assert "components:" in docs and "on_trigger" in docs


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("midas-lifestyle", ["Homepage", "User registration", "Booking system", "Payment processing"]),
        ("heypeter-academy-lms", ["Authentication System", "Payment Processing"]),
        ("english-training-center-phase8", ["API", "Mobile app"]),
    ],
)
def test_the_built_in_templates_name_the_seeds_systems(template: str, names: list[str]) -> None:
    from pathlib import Path

    import launch

    text = (Path(launch.__file__).parent / "builtin" / f"{template}.yaml").read_text()
    plan = import_plan_text(text, filename=f"{template}.yaml", t0="2026-12-01T12:00", tz="UTC")
    components = list(Component.objects.filter(plan=plan).prefetch_related("triggers"))
    assert [c.name for c in components] == names
    if template == "midas-lifestyle":  # the seed's rollback trigger takes the site down on the page
        assert all([t.description for t in c.triggers.all()] == ["System downtime >5 minutes"] for c in components)
