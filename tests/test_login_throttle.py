"""Finding 3: 299 wrong passwords for one account, no lockout, the right one still accepted (admin too).
Now django-axes locks the account (and a busy address) for the cool-off, with a page that says so."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import Settings

    from tests.fixture_types import ClientResponse


SITE = "login"
ADMIN = "admin:login"


@pytest.fixture(autouse=True)
def fast_hasher(settings: Settings) -> None:
    """Hundreds of sign-ins: hash with MD5 here so the test takes seconds, not minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post(client: Client, which: str, username: str, password: str, addr: str = "10.0.0.1") -> ClientResponse:
    return client.post(reverse(which), {"username": username, "password": password}, REMOTE_ADDR=addr)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff(db: None) -> User:
    return factories.UserFactory(username="alice", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("which", [SITE, ADMIN])
def test_wrong_passwords_lock_the_account_and_refuse_the_right_one(client: Client, staff: User, which: str) -> None:
    # The finding took 299 tries; 40 go past both the account's limit (10) and the address's (30), and every
    # one after the 10th is refused as the 290 after it would be (the attempts are counted, not stored one by one).
    statuses = [_post(client, which, "alice", f"wrong-{n}").status_code for n in range(40)]
    assert statuses[:9] == [200] * 9  # the form again, "wrong password"
    assert set(statuses[10:]) == {429}  # locked from the 10th failure on
    response = _post(client, which, "alice", factories.PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    html = response.content.decode()
    assert "Sign-in locked" in html and "Try again after" in html
    assert 'id="id_password"' not in html
    assert int(response["Retry-After"]) == 15 * 60

    # The lock is on the account: another address is refused too...
    assert _post(client, which, "alice", factories.PASSWORD, addr="10.9.9.9").status_code == 429
    # ...until the documented reset command.
    call_command("axes_reset_username", "alice")
    response = _post(client, which, "alice", factories.PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_lock_lifts_after_the_cool_off(client: Client, staff: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(10):
            _post(client, SITE, "alice", f"wrong-{n}")
        assert _post(client, SITE, "alice", factories.PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert _post(client, SITE, "alice", factories.PASSWORD).status_code == 429  # restarts the wait
    with time_machine.travel(start + timedelta(minutes=14 + 15, seconds=1), tick=False):
        assert _post(client, SITE, "alice", factories.PASSWORD).status_code == 302


def test_nine_failures_then_success_forgets_them(client: Client, staff: User) -> None:
    for n in range(9):
        _post(client, SITE, "alice", f"wrong-{n}")
    assert _post(client, SITE, "alice", factories.PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_an_address_spraying_many_accounts_is_locked(client: Client, db: None) -> None:
    for n in range(30):
        factories.UserFactory(username=f"u{n}")
    for n in range(30):  # one wrong password for each of 30 accounts: no account reaches its limit
        assert _post(client, SITE, f"u{n}", "wrong", addr="10.6.6.6").status_code in {200, 429}
    assert _post(client, SITE, "u0", factories.PASSWORD, addr="10.6.6.6").status_code == 429
    # Others on other addresses, and the same accounts from elsewhere, still sign in.
    assert _post(client, SITE, "u1", factories.PASSWORD, addr="10.1.1.1").status_code == 302
    call_command("axes_reset_ip", "10.6.6.6")
    client.logout()
    assert _post(client, SITE, "u0", factories.PASSWORD, addr="10.6.6.6").status_code == 302


def test_an_office_sharing_an_address_is_not_locked_by_a_few_typos(client: Client, db: None) -> None:
    for n in range(12):
        factories.UserFactory(username=f"o{n}")
    for n in range(12):  # twelve colleagues behind one address each mistype once
        _post(client, SITE, f"o{n}", "typo", addr="10.2.2.2")
    assert _post(client, SITE, "o0", factories.PASSWORD, addr="10.2.2.2").status_code == 302


def test_axes_reset_unlocks_everything(client: Client, staff: User) -> None:
    for n in range(10):
        _post(client, ADMIN, "alice", f"wrong-{n}")
    assert _post(client, ADMIN, "alice", factories.PASSWORD).status_code == 429
    call_command("axes_reset")
    assert _post(client, ADMIN, "alice", factories.PASSWORD).status_code == 302


def test_test_client_login_and_force_login_still_work(client: Client, staff: User) -> None:
    assert client.login(username="alice", password=factories.PASSWORD)
    client.logout()
    client.force_login(staff)
    assert client.get(reverse("launch:home")).status_code == 200


def test_behind_a_proxy_the_throttle_counts_the_real_client_not_the_proxy(
    client: Client, staff: User, settings: Settings
) -> None:
    """All requests come from the proxy (10.0.0.9); with ``TRUSTED_PROXY_COUNT=1`` the address that counts
    is the one the proxy appended, so 40 failures spread over two war-room laptops' many accounts lock the
    laptop that sprayed, not everyone behind the proxy. A client cannot pick its address: what it wrote
    itself in X-Forwarded-For (left of the proxy's entry) is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(31):
        client.post(
            reverse(SITE),
            {"username": f"user{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",  # spoofed left entry, real client right
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    locked = client.post(
        reverse(SITE), {"username": "alice", "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.7",
    )  # fmt: skip
    assert locked.status_code == 429
    other = client.post(
        reverse(SITE), {"username": "alice", "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.8",
    )  # fmt: skip
    assert other.status_code == 302 and _signed_in(client)


def test_without_a_trusted_proxy_the_header_is_ignored(client: Client, staff: User) -> None:
    client.post(
        reverse(SITE), {"username": "bob", "password": "wrong"}, REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )  # fmt: skip
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.9"]
