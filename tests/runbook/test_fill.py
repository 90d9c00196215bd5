"""Placeholder values in the plan's text (plans/runbook/fill.py): shown filled (escaped) wherever the text
is shown, visibly unfilled otherwise, one query per page, the raw text kept for the export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Item
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Placeholder, PlaceholderKind, Plan, Step
from plans.runbook.fill import fill_html, fill_plain
from plans.runbook.services import placeholder_fill
from roles.models import Role
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

GOLIVE = Path(__file__).resolve().parent.parent / "runbooks" / "golive_template.yaml"


def _ph(name: str, value: str = "", kind: str = PlaceholderKind.TEXT, label: str = "") -> Placeholder:
    return Placeholder(name=name, value=value, kind=kind, label=label)


def test_fill_html_escapes_the_text_and_the_value() -> None:
    values = {"who": _ph("who", "<script>alert(1)</script>", label="Incident commander")}
    html = fill_html("<b>Call</b> {{ who }} & {{who}}", values)
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert html.startswith('&lt;b&gt;Call&lt;/b&gt; <span class="ph ph-filled" title="Incident commander">')


def test_an_unfilled_placeholder_shows_as_unfilled_and_unknown_names_stay_as_written() -> None:
    values = {"incident_commander": _ph("incident_commander", label="Incident commander")}
    html = fill_html("{{ incident_commander }} opens {{ nobody }}", values)
    assert '<mark class="ph ph-unfilled"' in html and "[Incident commander — not set]" in html
    assert "{{ nobody }}" in html
    assert (
        fill_plain("{{ incident_commander }}: {{ nobody }}", values) == "[Incident commander — not set]: {{ nobody }}"
    )


def test_a_filled_link_is_a_link_only_when_it_is_http() -> None:
    link = _ph("bridge", "https://meet.example.com/a?b=1&c=2", kind=PlaceholderKind.LINK)
    html = fill_html("Bridge: {{ bridge }}", {"bridge": link})
    assert 'href="https://meet.example.com/a?b=1&amp;c=2" rel="noopener noreferrer"' in html
    sneaky = _ph("bridge", "javascript:alert(1)", kind=PlaceholderKind.LINK)
    assert "href" not in fill_html("{{ bridge }}", {"bridge": sneaky})


def _golive(coordinator: User, **values: str) -> Plan:
    plan = import_plan_text(
        GOLIVE.read_text(),
        t0="2026-12-06T09:00",
        tz="Europe/London",
        filename="golive_template.yaml",
        coordinator=coordinator,
        values=values,
    )
    return plan


@pytest.mark.django_db
def test_the_role_page_step_page_and_timeline_show_the_values(client: Client, coordinator: User) -> None:
    plan = _golive(coordinator, bridge_url="https://meet.example.com/<x>")
    client.force_login(coordinator)
    role = client.get(reverse("checklists:role", args=[plan.slug, "incident-commander"])).content.decode()
    assert 'href="https://meet.example.com/&lt;x&gt;"' in role  # the step's action, filled and escaped
    assert "[Incident commander — not set]" in role  # the item's notes
    assert "{{" not in role
    step = Step.objects.get(plan=plan, name="Open the bridge")
    page = client.get(reverse("plans:step", args=[plan.slug, step.pk])).content.decode()
    assert "meet.example.com/&lt;x&gt;" in page and "{{ bridge_url }}" not in page
    comms = client.get(reverse("checklists:role", args=[plan.slug, "comms-lead"])).content.decode()
    assert "[Deployment window — not set]" in comms  # an item's title
    assert "[Status page — not set]" in comms  # the step's action


@pytest.mark.django_db
def test_filling_a_placeholder_changes_the_pages_and_not_the_export(client: Client, coordinator: User) -> None:
    plan = _golive(coordinator)
    placeholder_fill(Placeholder.objects.get(plan=plan, name="deployment_window"), by=coordinator, value="2026-12-06")
    client.force_login(coordinator)
    comms = client.get(reverse("checklists:role", args=[plan.slug, "comms-lead"])).content.decode()
    assert "2026-12-06</span> window" in comms and "[Deployment window — not set]" not in comms
    exported = export_plan(plan)
    assert "title: Support briefed on the {{ deployment_window }} window" in exported
    assert "value: '2026-12-06'" in exported
    assert Item.objects.get(plan=plan, title__startswith="Support briefed").title == (
        "Support briefed on the {{ deployment_window }} window"
    )


@pytest.mark.django_db
def test_the_board_shows_values(client: Client, coordinator: User) -> None:
    plan = _golive(coordinator, status_page_url="https://status.example.com")
    client.force_login(coordinator)
    board = client.get(reverse("warroom:board", args=[plan.slug]))
    assert board.status_code == 200


def _role_page_queries(client: Client, plan: Plan, role: Role) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("checklists:role", args=[plan.slug, role.slug])).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_one_query_for_the_placeholders_however_many_mentions(client: Client, plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=coordinator)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Main")
    items = [factories.ItemFactory(checklist=checklist, title=f"Item {n}") for n in range(30)]
    steps = [factories.StepFactory(plan=plan, lead_role=role, name=f"Step {n}") for n in range(10)]
    Placeholder.objects.create(plan=plan, name="who", value="Alice")
    client.force_login(coordinator)
    plain = _role_page_queries(client, plan, role)
    for n, item in enumerate(items):
        Item.objects.filter(pk=item.pk).update(title=f"Item {n} for {{{{ who }}}}", notes="ask {{ who }}")
    for n, step in enumerate(steps):
        Step.objects.filter(pk=step.pk).update(action="page {{ who }}", name=f"Step {n} for {{{{ who }}}}")
    assert _role_page_queries(client, plan, role) == plain + 1
    page = client.get(reverse("checklists:role", args=[plan.slug, role.slug])).content.decode()
    assert page.count(">Alice</span>") >= 30 + 30 + 10


MESSAGE_PLAN = """\
format: 1
name: Messages with placeholders
placeholders:
  - {name: bridge_url, kind: link, label: War-room bridge, value: "https://meet.example.com/room"}
  - {name: incident_commander, kind: person, label: Incident commander}
  - {name: status-page, kind: link, label: Status page}
channels:
  - {name: Staff email, kind: email, target: staff@example.com}
messages:
  - name: Kick-off
    channels: [Staff email]
    at: T-1h
    subject: "Bridge {{ bridge_url }}"
    body: "IC {{ incident_commander }}; status {{ placeholders['status-page'] }}"
"""


@pytest.mark.django_db
def test_messages_see_placeholders_as_plain_values(coordinator: User) -> None:
    from communications.models import Message
    from communications.sources.schedule import render_message

    plan = import_plan_text(MESSAGE_PLAN, t0="2026-12-06T09:00", tz="UTC", filename="m.yaml", coordinator=coordinator)
    message = Message.objects.get(plan=plan)
    message.full_clean()  # the admin's check knows the plan's placeholders
    subject, body = render_message(plan, message, occurrence=1, at=plan.t0)
    assert subject.endswith("Bridge https://meet.example.com/room")
    assert body.startswith("IC [Incident commander — not set]; status [Status page — not set]")


@pytest.mark.django_db
def test_a_message_naming_an_undeclared_placeholder_is_an_import_error() -> None:
    from launch.format.loader import PlanFormatError

    text = MESSAGE_PLAN.replace("{{ incident_commander }}", "{{ incident_commandr }}")
    with pytest.raises(PlanFormatError) as caught:
        import_plan_text(text, t0="2026-12-06T09:00", tz="UTC", filename="m.yaml")
    assert any(
        "messages[0].body: template line 1: unknown variable 'incident_commandr'" in x for x in caught.value.lines()
    )


@pytest.mark.django_db
def test_reminders_carry_the_values(coordinator: User) -> None:
    from datetime import timedelta

    from communications.sources.reminders import item_reminders

    plan = _golive(coordinator, deployment_window="2026-12-06")
    comms = factories.UserFactory(username="comms", email="comms@example.com")
    Role.objects.filter(plan=plan, slug="comms-lead").update(primary=comms)
    specs = list(item_reminders(plan, plan.t0 - timedelta(days=2), plan.t0))
    subjects = [spec.render()[0] for spec in specs]
    assert any("Support briefed on the 2026-12-06 window" in s for s in subjects), subjects
    assert not any("{{" in s for s in subjects)


@pytest.mark.django_db
def test_the_activity_log_shows_values_in_what_was_logged(client: Client, coordinator: User) -> None:
    from plans.models import Event

    plan = _golive(coordinator, incident_commander="Alice <b>Smith</b>")
    Event.objects.create(plan=plan, kind="item.ticked", summary="Ticked: {{ incident_commander }} named")
    client.force_login(coordinator)
    page = client.get(reverse("plans:activity", args=[plan.slug])).content.decode()
    assert 'Ticked: <span class="ph ph-filled" title="Incident commander">Alice &lt;b&gt;Smith&lt;/b&gt;</span>' in page
