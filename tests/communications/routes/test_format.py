"""The plan file's ``routes:`` section: imported, exported byte for byte, and refused with FILE:LINE errors
(a secret written out, an unknown role, placeholder or user, a bad quiet-hours span)."""

from __future__ import annotations

from datetime import time

import pytest

from communications.models import Route, RoutePreference
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from tests import factories

pytestmark = pytest.mark.django_db

PLAN = """\
format: 1
name: Routed launch
timezone: UTC
roles:
  - name: SRE
    slug: sre
    primary: sam
  - name: Management
    slug: management
    primary: mia
placeholders:
  - name: slack_webhook
    kind: link
    label: Slack incoming webhook
  - name: pd_key
    label: PagerDuty routing key
routes:
  - name: War room
    kind: slack
    url: '{{ slack_webhook }}'
    events:
      - alarm
      - escalation
      - no_go
      - hold
      - state
      - reminder
    people:
      - user: mia
        quiet: 22:00-07:00
  - name: Managers
    kind: teams
    url: env:LC_ROUTE_TEAMS
    severity: high
    roles:
      - Management
  - name: Pager
    kind: pagerduty
    key: '{{ pd_key }}'
    roles:
      - SRE
    people:
      - user: sam
        severity: critical
  - name: Night desk
    kind: email
    to: desk@example.com
    enabled: false
"""


def body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


@pytest.fixture
def people() -> None:
    factories.UserFactory(username="sam")
    factories.UserFactory(username="mia")


def test_routes_import_and_export_byte_for_byte(people: None) -> None:
    plan = import_plan_text(PLAN, t0="2026-12-05T12:00", filename="routed.yaml")
    pager = Route.objects.get(plan=plan, name="Pager")
    assert (pager.kind, pager.key, [r.name for r in pager.roles.all()]) == ("pagerduty", "{{ pd_key }}", ["SRE"])
    assert RoutePreference.objects.get(route=pager).severity == "critical"
    quiet = RoutePreference.objects.get(route__name="War room")
    assert (quiet.quiet_from, quiet.quiet_until) == (time(22, 0), time(7, 0))
    exported = export_plan(plan)
    assert body(exported) == PLAN
    again = import_plan_text(exported, t0="2026-12-05T12:00", filename="routed.yaml")
    assert body(export_plan(again)) == PLAN


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    url: env:LC_ROUTE_TEAMS",
            "    url: https://example.webhook.office.com/webhookb2/secret",
            "routed.yaml:33: the webhook URL is a secret: give it as {{ placeholder }} or env:LC_ROUTE_NAME, never "
            "written out in the plan",
        ),
        ("    key: '{{ pd_key }}'", "    key: '{{ pager_key }}'", "routed.yaml:39: unknown placeholder 'pager_key'"),
        ("      - Management\n", "      - Executives\n", "routed.yaml:36: unknown role 'Executives'"),
        ("        quiet: 22:00-07:00", "        quiet: 10pm", "routed.yaml:30: quiet hours are HH:MM-HH:MM"),
        ("      - user: sam", "      - user: nobody", "routed.yaml:43: unknown user 'nobody' in a route's people"),
        ("      - reminder", "      - lunch", "routed.yaml:27: routes[0].events[5]: Input should be 'alarm'"),
        ("    to: desk@example.com", "    to: desk@example.com\n    key: x", "routed.yaml:48: key is a PagerDuty"),
        ("    url: env:LC_ROUTE_TEAMS", "    url: env:DATABASE_URL", "routed.yaml:33: the webhook URL is a secret"),
        (
            "    key: '{{ pd_key }}'",
            "    key: env:LC_ROUTE_PD\n    url: https://collector.example.com/enqueue",
            "routed.yaml:40: a routing key from the server's environment is sent only to events.pagerduty.com",
        ),
    ],
)
def test_a_bad_route_names_its_line(people: None, old: str, new: str, expected: str) -> None:
    assert old in PLAN
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(PLAN.replace(old, new), t0="2026-12-05T12:00", filename="routed.yaml")
    lines = exc.value.lines()
    assert any(line.startswith(expected) for line in lines), lines
    assert not Route.objects.exists()


def test_a_deactivated_person_in_a_route_is_refused_at_its_line(people: None) -> None:
    """As a role's holders and a rota's people are (tests/launch/test_inactive_owners_import.py)."""
    factories.UserFactory(username="dana", is_active=False)
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(
            PLAN.replace("      - user: sam", "      - user: dana"), t0="2026-12-05T12:00", filename="r.yaml"
        )
    assert exc.value.lines() == [
        "r.yaml:43: user 'dana' in a route's people: the account is inactive: choose an active user"
    ]
    assert not Route.objects.exists()


def test_the_admin_refuses_a_written_out_secret_and_a_role_of_another_plan(people: None) -> None:
    from django.core.exceptions import ValidationError

    from communications.admin import RouteForm

    plan = import_plan_text(PLAN, t0="2026-12-05T12:00", filename="routed.yaml")
    route = Route(plan=plan, name="Leaky", kind="slack", url="https://hooks.slack.com/services/T0/B0/secret")
    with pytest.raises(ValidationError) as exc:
        route.full_clean()
    assert "the webhook URL is a secret" in str(exc.value.message_dict["url"])
    other = factories.RoleFactory()
    form = RouteForm(
        data={"plan": plan.pk, "order": 0, "name": "Chat", "kind": "slack", "url": "env:LC_ROUTE_X", "events": "[]",
              "roles": [other.pk], "enabled": True},
    )  # fmt: skip
    assert not form.is_valid()
    assert "roles" in form.errors
