"""The admin's "New plan from template" lists the template's placeholders, each a field with its
description, and fills them on create through the importer's ``values`` (the service ``--set`` uses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from plans.models import Placeholder, Plan
from tests import factories

GOLIVE = (Path(__file__).resolve().parent.parent / "runbooks" / "golive_template.yaml").read_text()
URL = "admin:plans_plan_from_template"


@pytest.fixture
def golive_as_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("launch.admin.template_text", lambda key: GOLIVE)


def _post(client: Client, shown: str = "heypeter-academy-lms", **values: str) -> Any:
    return client.post(
        reverse(URL),
        {
            "template": "heypeter-academy-lms",
            "shown": shown,
            "name": "Checkout go-live",
            "slug": "",
            "t0": "2026-12-06T09:00",
            "timezone": "Europe/London",
            **{f"placeholder_{k}": v for k, v in values.items()},
        },
    )


@pytest.mark.django_db
def test_the_form_lists_the_placeholders_with_their_descriptions(
    admin_client: Client, golive_as_template: None
) -> None:
    page = admin_client.get(reverse(URL) + "?template=heypeter-academy-lms").content.decode()
    assert 'id="template-placeholders"' in page
    for label in ("Incident commander", "Deployment window", "War-room bridge", "Status page", "Runbook"):
        assert f">{label}:</label>" in page
    assert "Who runs the go-live call." in page and "Date of the change window agreed with the CAB." in page
    assert 'name="placeholder_bridge_url"' in page and 'type="url"' in page
    assert "Blocks Go/No-Go until filled in." in page


@pytest.mark.django_db
def test_the_admin_fills_placeholders_and_the_plan_page_lists_the_rest(
    admin_client: Client, admin_user: User, golive_as_template: None
) -> None:
    response = _post(admin_client, bridge_url="https://meet.example.com/x", incident_commander=" Alice Smith ")
    assert response.status_code == 302
    plan = Plan.objects.get(name="Checkout go-live")
    values = dict(Placeholder.objects.filter(plan=plan).values_list("name", "value"))
    assert values["bridge_url"] == "https://meet.example.com/x" and values["incident_commander"] == "Alice Smith"
    assert values["status_page_url"] == "" and values["deployment_window"] == ""
    assert plan.events.filter(kind="plan.imported").exists()
    page = admin_client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "2 to fill in" in page  # the deployment window and the status page (the runbook is optional)
    assert 'id="placeholder-status_page_url"' in page and 'id="placeholder-deployment_window"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"bridge_url": "javascript:alert(1)"}, "bridge_url", "a link must be an http:// or https:// address"),
        ({"deployment_window": "next week"}, "deployment_window", "expected a date such as 2026-12-06"),
    ],
)
def test_the_admin_refuses_bad_values_on_their_field(
    admin_client: Client, golive_as_template: None, values: dict[str, str], field: str, expected: str
) -> None:
    response = _post(admin_client, **values)
    assert response.status_code == 200
    assert expected in " ".join(response.context["form"].errors[f"placeholder_{field}"])
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_changing_the_template_shows_its_placeholders_before_creating(
    admin_client: Client, golive_as_template: None
) -> None:
    response = _post(admin_client, shown="midas-lifestyle")
    assert response.status_code == 200
    assert "has placeholders: fill them in below" in response.content.decode()
    assert 'name="shown" value="heypeter-academy-lms"' in response.content.decode()
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_a_staff_user_without_the_add_permission_is_refused(client: Client, golive_as_template: None) -> None:
    staff = factories.UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(URL)).status_code == 403
    assert _post(client, bridge_url="https://meet.example.com/x").status_code == 403
    assert not Plan.objects.exists()
