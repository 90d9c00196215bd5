"""A route's webhook URL or key given as a ``{{ placeholder }}`` is a secret: once a route names it, its value
shows on no page (plan page, board header links, text that mentions it) and in no activity-log line, for
members and the coordinator alike; the coordinator can still replace it. The export (coordinator-only, in the
admin) keeps it, so the file still round-trips."""

from __future__ import annotations

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from communications.admin import RouteAdmin
from communications.models import Route
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Event, Plan
from plans.runbook.fill import fill_text
from plans.runbook.models import Placeholder
from plans.runbook.services import placeholder_fill
from tests import factories
from warroom import views as warroom_views

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
PLAN = f"""\
format: 1
name: Secret routes
timezone: UTC
roles:
  - name: SRE
    slug: sre
    primary: sam
placeholders:
  - name: slack_webhook
    kind: link
    value: {HOOK}
  - name: bridge
    kind: link
    value: https://meet.example.com/war-room
routes:
  - name: War room
    kind: slack
    url: '{{{{ slack_webhook }}}}'
"""


@pytest.fixture
def secret_plan(db: None) -> tuple[Plan, User]:
    sam = factories.UserFactory(username="sam")
    coordinator = factories.UserFactory(username="cora")
    plan = import_plan_text(PLAN, t0="2026-12-05T12:00", filename="secret.yaml", coordinator=coordinator)
    return plan, sam


def test_a_route_placeholder_is_secret_on_every_page(secret_plan: tuple[Plan, User], client: Client) -> None:
    plan, sam = secret_plan
    assert Placeholder.objects.get(plan=plan, name="slack_webhook").secret
    assert not Placeholder.objects.get(plan=plan, name="bridge").secret
    for who in (sam, plan.coordinator):
        assert who is not None
        client.force_login(who)
        page = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
        assert "XXXXSECRETXXXX" not in page
        assert "set · secret" in page
        assert "https://meet.example.com/war-room" in page  # an ordinary link still shows
    board = warroom_views.render_board(plan)
    assert "XXXXSECRETXXXX" not in board
    assert fill_text(plan, "Post to {{ slack_webhook }} now") == "Post to [secret] now"
    assert HOOK in export_plan(plan)  # the coordinator's export keeps the value: the file round-trips


def test_replacing_a_secret_logs_no_value(secret_plan: tuple[Plan, User]) -> None:
    plan, _ = secret_plan
    assert plan.coordinator is not None
    placeholder = Placeholder.objects.get(plan=plan, name="slack_webhook")
    placeholder_fill(placeholder, by=plan.coordinator, value="https://hooks.slack.com/services/T1/B1/NEWSECRET")
    event = Event.objects.filter(plan=plan, kind="placeholder.filled").latest("pk")
    assert "NEWSECRET" not in event.summary and "NEWSECRET" not in str(event.data)
    assert Placeholder.objects.get(pk=placeholder.pk).value.endswith("NEWSECRET")


def test_a_route_saved_in_the_admin_marks_its_placeholder(secret_plan: tuple[Plan, User]) -> None:
    plan, _ = secret_plan
    route = Route.objects.get(plan=plan)
    route.url = "{{ bridge }}"
    request = RequestFactory().post("/")
    request.user = plan.coordinator  # type: ignore[assignment]
    RouteAdmin(Route, site).save_model(request, route, form=None, change=True)
    assert Placeholder.objects.get(plan=plan, name="bridge").secret
