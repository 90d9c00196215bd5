"""API tokens: made and revoked by the coordinator (services and the page), stored hashed, shown once,
last use written at most every few minutes, kept out of the logs."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from api.models import ApiToken
from api.services import token_create, token_revoke
from launchcontrol.logs import RedactTokens
from plans.models import Event
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_hashed_with_its_prefix_and_an_identity(api: Api) -> None:
    token, raw = token_create(api.plan, by=api.world.coordinator, name="CI deploy", scopes=["steps", "read"])
    assert raw.startswith(f"lct_{token.prefix}_") and len(raw) > 40
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))
    assert token.scopes == ["read", "steps"] and token.expires_at is not None
    assert not token.identity.has_usable_password() and not token.identity.is_staff
    assert Event.objects.filter(plan=api.plan, kind="api_token.created", data__prefix=token.prefix).count() == 1


@pytest.mark.parametrize("actor", ["owner", "other", "stranger", "staff", "outsider"])
def test_only_the_coordinator_makes_and_revokes_tokens(api: Api, actor: str) -> None:
    user = api.world.users[actor]
    with pytest.raises(PermissionDenied):
        token_create(api.plan, by=user, name="Mine", scopes=["read"])
    token, _ = token_create(api.plan, by=api.world.coordinator, name="Theirs", scopes=["read"])
    with pytest.raises(PermissionDenied):
        token_revoke(token, by=user)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.parametrize(
    ("name", "scopes", "days"),
    [("", ["read"], None), ("CI", [], None), ("CI", ["admin"], None), ("CI", ["read"], "0"), ("x" * 121, ["read"], 5)],
)
def test_a_token_needs_a_name_known_scopes_and_a_sane_lifetime(
    api: Api, name: str, scopes: list[str], days: Any
) -> None:
    before = ApiToken.objects.count()  # (the world has one)
    with pytest.raises(ValidationError):
        token_create(api.plan, by=api.world.coordinator, name=name, scopes=scopes, days=days)
    assert ApiToken.objects.count() == before


def test_revoking_is_immediate_and_once(api: Api) -> None:
    raw = api.token(name="old")
    token = ApiToken.objects.get(name="old")
    assert api.get("", raw).status_code == 200
    token_revoke(token, by=api.world.coordinator)
    token_revoke(token, by=api.world.coordinator)
    assert api.get("", raw).status_code == 401
    assert Event.objects.filter(kind="api_token.revoked", data__token=token.pk).count() == 1


def test_last_use_is_written_at_most_every_five_minutes(api: Api) -> None:
    raw = api.token(name="polling bot")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        api.get("", raw)
        first = ApiToken.objects.get(name="polling bot").last_used_at
        assert first is not None
        clock.shift(timedelta(minutes=4))
        api.get("", raw)
        assert ApiToken.objects.get(name="polling bot").last_used_at == first
        clock.shift(timedelta(minutes=2))
        api.get("", raw)
        assert ApiToken.objects.get(name="polling bot").last_used_at == timezone.now()


def test_reading_does_not_move_the_plan(api: Api) -> None:
    """Stamping the last use is bookkeeping: no event, no revision (the ETag stays)."""
    raw = api.token()
    revision = type(api.plan).objects.get(pk=api.plan.pk).revision
    api.get("", raw)
    assert type(api.plan).objects.get(pk=api.plan.pk).revision == revision


def test_the_page_shows_a_new_token_once(api: Api) -> None:
    client = api.world.client("coordinator")
    page = client.get("/plans/guarded/api-tokens/")
    assert page.status_code == 200 and b"lct_" in page.content
    made = client.post("/plans/guarded/api-tokens/new/", {"name": "Grafana", "scopes": ["metrics", "issues"]})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    raw = made.content.decode().split('class="kiosk-url token-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith("lct_") and api.get("", raw).status_code == 403  # no read scope: but it is live
    token = ApiToken.objects.get(name="Grafana")
    assert token.scopes == ["metrics", "issues"]
    again = client.get("/plans/guarded/api-tokens/")
    assert raw.encode() not in again.content and f"lct_{token.prefix}_".encode() in again.content
    revoked = client.post(f"/plans/guarded/api-tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302 and ApiToken.objects.get(name="Grafana").revoked_at is not None


def test_the_page_refuses_everyone_but_the_coordinator(api: Api) -> None:
    for actor in ("owner", "other", "stranger"):
        assert api.world.client(actor).get("/plans/guarded/api-tokens/").status_code in (403, 404), actor
    assert api.world.client("anonymous").get("/plans/guarded/api-tokens/").status_code == 302


def test_the_page_is_csrf_protected_and_the_api_is_not(api: Api) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(api.world.coordinator)
    assert strict.post("/plans/guarded/api-tokens/new/", {"name": "x", "scopes": ["read"]}).status_code == 403
    raw = api.token(["issues"])
    response = strict.post(
        "/api/v1/plans/guarded/issues",
        data={"title": "From CI", "severity": "low"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
    # A signed-in session is no credential for the API.
    assert strict.get("/api/v1/plans/guarded/").status_code == 401


def test_tokens_are_kept_out_of_the_logs(api: Api) -> None:
    raw = api.token()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "curl -H 'Authorization: Bearer %s'", (raw,), None)
    RedactTokens().filter(record)
    secret = raw.split("_", 2)[2]
    assert secret not in record.getMessage() and "[redacted]" in record.getMessage()
