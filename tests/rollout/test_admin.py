"""The admin of API tokens, alert routes and the rollout (issue 12): a token's digest is never shown and a
token is not made in the admin (the coordinator's page shows it once); revoking from the admin goes through
the service; the rollout's stages are edited in its admin, its live state is read-only. Scoping to the
staff user's plans is checked for every admin in tests/test_admin_scope.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from api.services import token_create
from plans.models import Event, Rollout

from .world import rollout_world

pytestmark = pytest.mark.django_db


def _staff_client() -> tuple[Client, ApiToken, str, Rollout]:
    w = rollout_world()
    user = w.coordinator
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["api", "plans"]))
    token, raw = token_create(w.plan, by=user, name="CI", scopes=["read", "rollout"])
    client = Client()
    client.force_login(user)
    return client, token, raw, Rollout.objects.get(plan=w.plan)


def test_a_token_shows_no_digest_and_is_not_made_in_the_admin() -> None:
    client, token, raw, _ = _staff_client()
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in page and token.digest not in page and raw not in page
    assert "API tokens page" in page
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403


def test_revoking_in_the_admin_goes_through_the_service() -> None:
    client, token, _, _ = _staff_client()
    url = reverse("admin:api_apitoken_changelist")
    response = client.post(url, {"action": "revoke", "_selected_action": [str(token.pk)]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(kind="api_token.revoked").count() == 1


def test_the_rollout_admin_edits_stages_and_shows_where_it_stands_read_only() -> None:
    client, _, _, rollout = _staff_client()
    page = client.get(reverse("admin:plans_rollout_change", args=[rollout.pk])).content.decode()
    assert 'name="stages-0-percent"' in page and 'name="stages-3-name"' in page
    assert 'name="current"' not in page and 'name="stage_started_at"' not in page
    plan_page = client.get(reverse("admin:plans_plan_change", args=[rollout.plan_id])).content.decode()
    assert reverse("admin:plans_rollout_change", args=[rollout.pk]) in plan_page  # the inline's change link
