"""Readiness in the admin (issue 13): tracks with their sessions and attendees, readiness items; scoped to
the coordinator's plans; completion and ticks are read-only there (recorded through readiness.services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from plans.models import Event, Plan
from readiness.models import ReadinessItem, Session, Track
from tests.test_admin import form_data
from tests.test_admin_scope import TwoStaffPlans, plans  # noqa: F401  (the fixture)

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_readiness_admin_pages_load_for_a_superuser(admin_client: Client, plans: TwoStaffPlans) -> None:  # noqa: F811
    track = Track.objects.get(plan=plans["mine"])
    item = ReadinessItem.objects.get(plan=plans["mine"])
    for name, pk in (("track", track.pk), ("readinessitem", item.pk)):
        assert admin_client.get(reverse(f"admin:readiness_{name}_changelist")).status_code == 200
        response = admin_client.get(reverse(f"admin:readiness_{name}_change", args=[pk]))
        assert response.status_code == 200
    body = admin_client.get(reverse("admin:readiness_track_change", args=[track.pk])).content.decode()
    assert "Intensive" in body and "ana@example.com" in body


def test_a_staff_user_adds_a_session_and_cannot_borrow_another_plans_role(
    client: Client,
    plans: TwoStaffPlans,  # noqa: F811
) -> None:
    client.force_login(plans["alice"])
    mine: Plan = plans["mine"]
    track = Track.objects.get(plan=mine)
    url = reverse("admin:readiness_track_change", args=[track.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "sessions-TOTAL_FORMS": "2",
            "sessions-1-title": "Refresher",
            "sessions-1-order": "1",
            "sessions-1-offset": "T-2d",
            "sessions-1-duration": "2h",
            "sessions-1-track": str(track.pk),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    session = Session.objects.get(title="Refresher")
    assert session.plan == mine and session.offset is not None and session.offset.days == -2
    assert Event.objects.filter(plan=mine, kind="admin.changed", data__model="readiness.Track").exists()
    # A readiness item cannot be given to a role of another plan (not even one of hers).
    theirs_role = plans["theirs"].roles.earliest("order")
    item = ReadinessItem.objects.get(plan=mine)
    url = reverse("admin:readiness_readinessitem_change", args=[item.pk])
    data = form_data(client.get(url))
    data["role"] = str(theirs_role.pk)
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.role.plan_id == mine.pk
