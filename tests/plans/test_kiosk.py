from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans.kiosk import SALT, kiosk_link_for, kiosk_token
from plans.models import KioskLink
from plans.services import kiosk_create, kiosk_revoke
from tests import factories
from warroom import views

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import Settings

    from plans.models import Plan


def test_coordinator_creates_and_revokes(plan: Plan, coordinator: User) -> None:
    link = kiosk_create(plan, by=coordinator, label="War room TV")
    token = kiosk_token(link)
    assert kiosk_link_for(token) == link
    kiosk_revoke(link, by=coordinator)
    with pytest.raises(PermissionDenied):
        kiosk_link_for(token)


def test_only_the_coordinator(plan: Plan, coordinator: User) -> None:
    someone = factories.UserFactory(username="someone")
    with pytest.raises(PermissionDenied):
        kiosk_create(plan, by=someone, label="TV")
    link = kiosk_create(plan, by=coordinator, label="TV")
    with pytest.raises(PermissionDenied):
        kiosk_revoke(link, by=someone)
    with pytest.raises(ValidationError):
        kiosk_create(plan, by=coordinator, label=" ")


def test_forged_tokens_are_refused(plan: Plan, coordinator: User) -> None:
    link = kiosk_create(plan, by=coordinator, label="TV")
    token = kiosk_token(link)
    forgeries = [token[:-2] + "xx", str(link.pk), signing.dumps(link.pk, salt="other"), signing.dumps("1", salt=SALT)]
    for forged in forgeries:
        with pytest.raises(PermissionDenied):
            kiosk_link_for(forged)


# --- Finding 5: expiry, revocation on the next request, the "expires" column ---------------------------

START = datetime(2026, 12, 1, 11, 40, 10, tzinfo=UTC)


@pytest.fixture
def no_caches() -> Iterator[None]:
    views._REVISIONS.clear()
    views._VERIFIED.clear()
    yield
    views._REVISIONS.clear()


def test_a_link_expires_after_the_days_chosen(plan: Plan, coordinator: User) -> None:
    with time_machine.travel(START, tick=False):
        default = kiosk_create(plan, by=coordinator, label="Lobby")
        short = kiosk_create(plan, by=coordinator, label="Ops TV", days="2")
    assert default.expires_at == START + timedelta(days=30)
    assert short.expires_at == START + timedelta(days=2)
    with time_machine.travel(START + timedelta(days=2, seconds=-1), tick=False):
        assert kiosk_link_for(kiosk_token(short)) == short
    with time_machine.travel(START + timedelta(days=2, seconds=1), tick=False):
        with pytest.raises(PermissionDenied, match="expired"):
            kiosk_link_for(kiosk_token(short))
        assert kiosk_link_for(kiosk_token(default)) == default


@pytest.mark.parametrize("days", ["0", "366", "-3", "abc", "1e3", "30.5"])
def test_an_expiry_out_of_range_is_refused_and_nothing_is_made(plan: Plan, coordinator: User, days: str) -> None:
    with pytest.raises(ValidationError):
        kiosk_create(plan, by=coordinator, label="TV", days=days)
    assert not KioskLink.objects.exists()


def test_the_form_refuses_a_bad_expiry_with_a_message(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("warroom:kiosk_create", args=[plan.slug]), {"label": "TV", "days": "400"}, follow=True
    )
    assert response.status_code == 200
    assert "between 1 and 365 days" in response.content.decode()
    assert not KioskLink.objects.exists()
    client.post(reverse("warroom:kiosk_create", args=[plan.slug]), {"label": "TV", "days": "7"})
    link = KioskLink.objects.get()
    assert (link.expires_at - link.created_at).days == 7


def test_an_expired_link_is_refused_on_page_and_poll(
    client: Client, plan: Plan, coordinator: User, no_caches: None
) -> None:
    with time_machine.travel(START, tick=False):
        link = kiosk_create(plan, by=coordinator, label="TV", days=1)
        token = kiosk_token(link)
        fragment = client.get(reverse("warroom:kiosk_fragment", args=[token]))
        assert fragment.status_code == 200
    with time_machine.travel(START + timedelta(days=1, seconds=1), tick=False):
        assert client.get(reverse("warroom:kiosk", args=[token])).status_code == 403
        poll = client.get(reverse("warroom:kiosk_fragment", args=[token]), headers={"If-None-Match": fragment["ETag"]})
        assert poll.status_code == 403


def test_revocation_is_effective_on_the_very_next_poll(
    client: Client, plan: Plan, coordinator: User, settings: Settings, no_caches: None
) -> None:
    """The revision micro-cache used to serve a revoked kiosk link for up to WARROOM_REVISION_TTL."""
    settings.WARROOM_REVISION_TTL = 60  # a long micro-cache makes the old gap obvious
    # The clock stands still: the board's ETag names the minute too (its time-dependent rows), so two polls
    # either side of a minute's turn differ without any change (a 200, not the 304 this test needs first).
    with time_machine.travel(datetime.now(UTC), tick=False):
        link = kiosk_create(plan, by=coordinator, label="TV")
        url = reverse("warroom:kiosk_fragment", args=[kiosk_token(link)])
        first = client.get(url)
        assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
        kiosk_revoke(link, by=coordinator)
        assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 403
        assert client.get(url).status_code == 403


def test_the_kiosks_page_shows_when_each_link_expires(client: Client, plan: Plan, coordinator: User) -> None:
    with time_machine.travel(START, tick=False):
        kiosk_create(plan, by=coordinator, label="Lobby", days=10)
        gone = kiosk_create(plan, by=coordinator, label="Old TV", days=1)
    with time_machine.travel(START + timedelta(days=2), tick=False):
        client.force_login(coordinator)
        html = client.get(reverse("warroom:kiosks", args=[plan.slug])).content.decode()
    assert "<th>Expires</th>" in html
    assert "11 Dec 2026 11:40" in html  # Lobby: 10 days after creation
    row = html.split(f'id="kiosk-{gone.pk}"')[1].split("</tr>")[0]
    assert "expired" in row and kiosk_token(gone) not in row and "Revoke" not in row
