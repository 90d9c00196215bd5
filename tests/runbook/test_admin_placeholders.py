"""The admin's "New plan from template" fills a template's placeholders (one NAME=VALUE a line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from plans.models import Placeholder, Plan

GOLIVE = (Path(__file__).resolve().parent.parent / "runbooks" / "golive_template.yaml").read_text()


@pytest.fixture
def golive_as_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("launch.admin.template_text", lambda key: GOLIVE)


def _post(client: Client, values: str) -> Any:
    return client.post(
        reverse("admin:plans_plan_from_template"),
        {
            "template": "heypeter-academy-lms",
            "name": "Checkout go-live",
            "slug": "",
            "t0": "2026-12-06T09:00",
            "timezone": "Europe/London",
            "values": values,
        },
    )


@pytest.mark.django_db
def test_the_admin_fills_placeholders(admin_client: Client, admin_user: User, golive_as_template: None) -> None:
    response = _post(admin_client, "bridge_url=https://meet.example.com/x\n\nincident_commander = Alice Smith\n")
    plan = Plan.objects.get(name="Checkout go-live")
    assert response.status_code == 302
    values = dict(Placeholder.objects.filter(plan=plan).values_list("name", "value"))
    assert values["bridge_url"] == "https://meet.example.com/x" and values["incident_commander"] == "Alice Smith"
    assert values["status_page_url"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("bridge_url=javascript:alert(1)", "a link must be an http:// or https:// address"),
        ("nobody=x", "unknown placeholder"),
        ("just words", "expected NAME=VALUE"),
    ],
)
def test_the_admin_refuses_bad_values(
    admin_client: Client, golive_as_template: None, values: str, expected: str
) -> None:
    response = _post(admin_client, values)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Plan.objects.exists()
