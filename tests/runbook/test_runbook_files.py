"""The issue-10 runbooks under tests/runbooks/: each imports with every element in a field, round-trips
byte for byte (apart from the header comment), and renders on the role page and the board. Plus the
importer's new checks (``FILE:LINE:``) and ``import_plan --set``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from checklists.models import Gate, Item
from checklists.services import gate_state
from checklists.services.gates import gate_blockers
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from plans.models import Placeholder, Plan, PlanStatus, Procedure, RollbackTrigger, Step
from plans.services import plan_transition

RUNBOOKS = Path(__file__).resolve().parent.parent / "runbooks"
GOLIVE = RUNBOOKS / "golive_template.yaml"
CUTOVER = RUNBOOKS / "cutover_runbook.yaml"


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def _import(path: Path, **kwargs: Any) -> Plan:
    return import_plan_text(path.read_text(), t0="2026-12-06T09:00", tz="Europe/London", filename=path.name, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [GOLIVE, CUTOVER], ids=lambda p: p.name)
def test_round_trips_byte_for_byte(path: Path) -> None:
    plan = _import(path)
    assert _body(export_plan(plan)) == _body(path.read_text())
    assert plan.extra == {}


@pytest.mark.django_db
def test_golive_template_lands_in_fields() -> None:
    plan = _import(GOLIVE)
    names = list(Placeholder.objects.filter(plan=plan).values_list("name", "kind"))
    assert ("incident_commander", "person") in names and ("bridge_url", "link") in names
    gate = Gate.objects.get(plan=plan, name="Go/No-Go")
    assert sorted(p.name for p in gate.placeholders.all()) == ["bridge_url", "incident_commander"]
    pulled = RollbackTrigger.objects.get(plan=plan, kind="discretionary")
    assert pulled.threshold is None and pulled.threshold_missing and pulled.action.startswith("Roll back")
    assert sorted(r.name for r in pulled.roles.all()) == ["Incident Commander", "Service Owner"]
    auto = RollbackTrigger.objects.get(plan=plan, kind="automatic")
    assert auto.window_end is not None and auto.window_end.total_seconds() == 3600
    blockers = gate_blockers(gate, **gate_state(gate))
    assert "Placeholder “War-room bridge” is not filled in." in blockers
    assert any("has no threshold yet" in b for b in blockers)
    parent = Item.objects.get(plan=plan, title="Rota confirmed")
    assert parent.notes.startswith("Primary and backup")
    assert sorted(parent.children.values_list("title", flat=True)) == [
        "Backup incident commander named",
        "Incident commander named",
    ]
    step = Step.objects.get(plan=plan, name="Announce on the status page")
    assert step.optional and step.condition == "the launch is public"


@pytest.mark.django_db
def test_cutover_runbook_lands_in_fields() -> None:
    plan = _import(CUTOVER)
    step = Step.objects.get(plan=plan, name="Final sync")
    assert step.preconditions == ["Writes frozen", "Replication lag 0"]
    assert step.action and step.verify and step.rollback
    assert Step.objects.get(plan=plan, name="Apply schema changes").condition == "the release changes the schema"
    rollback = Procedure.objects.get(plan=plan, kind="rollback")
    assert list(rollback.steps.values_list("name", flat=True)) == [
        "Freeze writes again",
        "Point the application back",
        "Unfreeze on the old database",
    ]


@pytest.mark.django_db
def test_import_plan_set_fills_placeholders(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "import_plan",
        str(GOLIVE),
        "--t0",
        "2026-12-06T09:00",
        "--tz",
        "Europe/London",
        "--set",
        "bridge_url=https://meet.example.com/war-room",
        "--set",
        "incident_commander=Alice Smith",
        stdout=out,
    )
    plan = Plan.objects.get(slug=out.getvalue().strip())
    values = dict(Placeholder.objects.filter(plan=plan).values_list("name", "value"))
    assert values["bridge_url"] == "https://meet.example.com/war-room"
    assert values["incident_commander"] == "Alice Smith"
    gate = Gate.objects.get(plan=plan, name="Go/No-Go")
    assert not any("Placeholder" in b for b in gate_blockers(gate, **gate_state(gate)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"nope": "x"}, "--set: unknown placeholder 'nope'"),
        ({"bridge_url": "javascript:alert(1)"}, "a link must be an http:// or https:// address"),
        ({"deployment_window": "soon"}, "expected a date"),
    ],
)
def test_set_refuses_unknown_names_and_bad_values(values: dict[str, str], expected: str) -> None:
    with pytest.raises(PlanFormatError) as caught:
        _import(GOLIVE, values=values)
    assert any(expected in line for line in caught.value.lines())
    assert not Plan.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    label: Status page\n",
            "    label: Status page\n    value: ftp://status.example\n",
            "golive_template.yaml:119: placeholders[3].value: a link must be an http:// or https:// address",
        ),
        (
            "    gates:\n      - Go/No-Go\n  - name: deployment_window",
            "    gates:\n      - Go/No-Gone\n  - name: deployment_window",
            "golive_template.yaml:106: unknown gate 'Go/No-Gone'",
        ),
        (
            "          - title: Incident commander named\n",
            "          - title: Incident commander named\n            items:\n              - title: Too deep\n",
            "golive_template.yaml:76: sub-items nest one level only",
        ),
        (
            "      - Incident Commander\n      - Service Owner\nplaceholders:",
            "      - Incident Commander\n      - CEO\nplaceholders:",
            "golive_template.yaml:99: unknown role 'CEO'",
        ),
        (
            "  - description: Failed payments",
            "  - kind: automatic\n    description: Failed payments",
            "golive_template.yaml:94: an automatic trigger needs a metric",
        ),
        (
            "        optional: true\n",
            "        optional: maybe\n",
            "golive_template.yaml:53: phases[0].steps[2].optional",
        ),
    ],
)
def test_new_fields_are_validated_with_their_line(old: str, new: str, expected: str) -> None:
    text = GOLIVE.read_text()
    assert old in text
    with pytest.raises(PlanFormatError) as caught:
        import_plan_text(text.replace(old, new, 1), t0="2026-12-06T09:00", tz="UTC", filename="golive_template.yaml")
    lines = caught.value.lines()
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.django_db
def test_runbooks_render_on_the_role_page_and_the_board(client: Client) -> None:
    coordinator = User.objects.create_user("coord2", password="x")
    golive = _import(GOLIVE, coordinator=coordinator, values={"status_page_url": "https://status.example.com"})
    cutover = _import(CUTOVER, coordinator=coordinator)
    client.force_login(coordinator)
    role = client.get(reverse("checklists:role", args=[cutover.slug, "dba"])).content.decode()
    assert "Run the final DMS full-load-and-CDC task to completion." in role and "Pre-conditions" in role
    role = client.get(reverse("checklists:role", args=[golive.slug, "incident-commander"])).content.decode()
    assert "Backup incident commander named" in role and "(0/2 sub-items)" in role
    board = client.get(reverse("warroom:board", args=[golive.slug])).content.decode()
    assert "https://status.example.com" in board
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(cutover, to=state, by=coordinator)
    plan_transition(cutover, to=PlanStatus.ROLLED_BACK, by=coordinator, reason="Row counts differ")
    board = client.get(reverse("warroom:board", args=[cutover.slug])).content.decode()
    assert "CUTOVER ROLLBACK" in board and "Point the application back" in board
    assert "Abort before the freeze" not in board
