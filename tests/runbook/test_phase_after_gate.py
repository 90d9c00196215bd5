"""A phase may wait for a gate (``after: [Go/No-Go]`` on the phase): every step of it waits, in the
forecast, the start refusal, the role page, the timeline, and the format (validation, export, round trip)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists.models import Gate
from checklists.services import step_start
from launch.format import normalise, parse_plan_text
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from plans.models import Phase, Plan, Step
from plans.schedule import plan_forecast

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

WEEKEND = Path(__file__).resolve().parent.parent / "runbooks" / "migration-weekend.yaml"
H = timedelta(hours=1)


def _weekend(coordinator: User | None = None) -> Plan:
    return import_plan_text(
        WEEKEND.read_text(), t0="2026-10-30T18:00", tz="Europe/London", filename=WEEKEND.name, coordinator=coordinator
    )


@pytest.mark.django_db
def test_the_phase_waits_for_the_gate_and_round_trips() -> None:
    plan = _weekend()
    gate = Gate.objects.get(plan=plan, name="Go/No-Go")
    assert list(gate.holds_phases.values_list("name", flat=True)) == ["Switch over"]
    assert list(Phase.objects.get(plan=plan, name="Switch over").after_gates.all()) == [gate]
    text = export_plan(plan)
    assert "    after:\n      - Go/No-Go\n    steps:" in text
    assert normalise(parse_plan_text(text, "x.yaml").doc) == normalise(parse_plan_text(WEEKEND.read_text(), "w").doc)


@pytest.mark.django_db
def test_the_forecast_holds_every_step_of_the_phase_until_the_gate(coordinator: User) -> None:
    plan = _weekend(coordinator)
    announce = Step.objects.get(plan=plan, name="Announce the new ERP")  # placed at T+20h30m, not after the gate
    gate = Gate.objects.get(plan=plan, name="Go/No-Go")
    with time_machine.travel(plan.t0 + 20 * H, tick=False):
        held = plan_forecast(plan, now=plan.t0 + 20 * H)
        gate_at = held.gates[gate.pk].forecast
        assert gate_at is not None and gate_at > plan.t0 + 21 * H  # its criteria's steps have not run
        assert held.steps[announce.pk].start == gate_at
        gate.holds_phases.clear()
        free = plan_forecast(plan, now=plan.t0 + 20 * H)
        assert free.steps[announce.pk].start == plan.t0 + 20 * H + 30 * timedelta(minutes=1)


@pytest.mark.django_db
def test_a_step_of_the_phase_cannot_start_before_the_gate_passed(coordinator: User) -> None:
    plan = _weekend(coordinator)
    announce = Step.objects.get(plan=plan, name="Announce the new ERP")
    with pytest.raises(ValidationError, match="waits for the gate “Go/No-Go” \\(pending\\)"):
        step_start(announce, by=coordinator)


@pytest.mark.django_db
def test_the_role_page_and_the_timeline_show_the_wait(client: Client, coordinator: User) -> None:
    plan = _weekend(coordinator)
    client.force_login(coordinator)
    with time_machine.travel(plan.t0 + 20 * H, tick=False):
        role = client.get(reverse("checklists:role", args=[plan.slug, "migration-manager"])).content.decode()
        timeline = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
    assert "Blocked by “Go/No-Go” (pending)" in role
    assert '<span class="small tl-phase-after">after <span class="gate-ref">◆ Go/No-Go</span></span>' in timeline


BASE = """\
format: 1
name: Phase after a gate
phases:
  - name: Checks
    steps:
      - {name: Check, at: T-1h, duration: 30m}
  - name: Switch
    after: [Go]
    steps:
      - {name: Flip, at: T+0, duration: 10m}
gates:
  - {name: Go, at: T-15m}
checklists:
  - name: Go criteria
    items:
      - {title: Checked, gate: Go, step: Check}
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("after: [Go]", "after: [Gone]", "plan.yaml:8: unknown gate 'Gone'"),
        ("after: [Go]", "after: [Check]", "plan.yaml:8: phase 'Switch' waits for gates only: 'Check' is a step"),
        ("step: Check}", "step: Flip}", "plan.yaml:8: dependency cycle: phase 'Switch' waits for gate 'Go'"),
        ("after: [Go]", "after: Go", "plan.yaml:8: phases[1].after"),
    ],
)
def test_a_bad_phase_after_names_its_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(PlanFormatError) as caught:
        import_plan_text(BASE.replace(old, new), filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert any(expected in line for line in caught.value.lines()), caught.value.lines()


@pytest.mark.django_db
def test_the_small_plan_round_trips() -> None:
    plan = import_plan_text(BASE, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    text = export_plan(plan)
    assert "  - name: Switch\n    after:\n      - Go\n" in text
    assert normalise(parse_plan_text(text, "x.yaml").doc) == normalise(parse_plan_text(BASE, "plan.yaml").doc)


@pytest.mark.django_db
def test_the_step_page_lists_the_gate_its_phase_waits_for(client: Client, coordinator: User) -> None:
    plan = _weekend(coordinator)
    client.force_login(coordinator)
    announce = Step.objects.get(plan=plan, name="Announce the new ERP")
    page = client.get(reverse("plans:step", args=[plan.slug, announce.pk])).content.decode()
    assert "◆ Go/No-Go</a>" in page and "(its phase waits for this gate)" in page
    opening = Step.objects.get(plan=plan, name="Open the new ERP to users")
    page = client.get(reverse("plans:step", args=[plan.slug, opening.pk])).content.decode()
    assert "◆ Go/No-Go</a>" in page and "(its phase waits for this gate)" not in page
