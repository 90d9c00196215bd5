"""Finding 5 (screen tokens): a war-room screen token kept working for 14 days after sign-out and after the
user was deactivated. Now it names a grant on the signed-in session and is checked against the database
at most once a minute per process: sign-out, deactivation, a password change or the session's expiry
refuse it within SCREEN_RECHECK_SECONDS (60 s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from plans.models import ScreenGrant
from tests import factories
from warroom import views

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries, Settings
    from time_machine import Traveller

    from plans.models import Plan


START = datetime(2026, 12, 1, 11, 40, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_caches(settings: Settings) -> Iterator[None]:
    settings.WARROOM_REVISION_TTL = 0
    views._REVISIONS.clear()
    views._VERIFIED.clear()
    yield
    views._REVISIONS.clear()
    views._VERIFIED.clear()


@pytest.fixture
def traveller() -> Iterator[Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def viewer(db: None) -> User:
    return factories.UserFactory(username="viewer")


@pytest.fixture
def live_plan(plan: Plan, traveller: Traveller) -> Plan:
    plan.t0 = START + timedelta(minutes=20)
    plan.save()
    return plan


def _board(client: Client, user: User, plan: Plan) -> str:
    client.force_login(user)
    page = client.get(reverse("warroom:board", args=[plan.slug]))
    assert page.status_code == 200
    return page.context["poll_url"]


def _after(traveller: Traveller, seconds: float) -> None:
    traveller.move_to(START + timedelta(seconds=seconds))


def test_sign_out_refuses_the_token_within_a_minute(
    client: Client, live_plan: Plan, viewer: User, traveller: Traveller
) -> None:
    url = _board(client, viewer, live_plan)
    session_key = client.session.session_key
    assert session_key is not None and session_key not in url  # the URL names a grant, never the session
    assert client.get(url).status_code == 200
    client.logout()
    assert not ScreenGrant.objects.exists()  # the session's grants went with it
    _after(traveller, 30)
    assert client.get(url).status_code == 200  # this process verified it under a minute ago: the window
    _after(traveller, views.SCREEN_RECHECK_SECONDS + 1)
    assert client.get(url).status_code == 403
    _after(traveller, 14 * 24 * 3600 - 60)  # and stays refused (it was good for 14 days before)
    assert client.get(url).status_code == 403


def test_another_process_refuses_a_signed_out_token_at_once(client: Client, live_plan: Plan, viewer: User) -> None:
    url = _board(client, viewer, live_plan)
    client.logout()
    views._VERIFIED.clear()  # a worker that never saw this token
    response = client.get(url)
    assert response.status_code == 403


def test_deactivation_refuses_the_token_within_a_minute(
    client: Client, live_plan: Plan, viewer: User, traveller: Traveller
) -> None:
    url = _board(client, viewer, live_plan)
    client.cookies.clear()  # the screen polls with its token alone
    assert client.get(url).status_code == 200
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    _after(traveller, views.SCREEN_RECHECK_SECONDS - 1)
    assert client.get(url).status_code == 200
    _after(traveller, views.SCREEN_RECHECK_SECONDS + 1)
    assert client.get(url).status_code == 403


def test_a_password_change_refuses_other_sessions_tokens(
    client: Client, live_plan: Plan, viewer: User, traveller: Traveller
) -> None:
    url = _board(client, viewer, live_plan)
    client.cookies.clear()
    viewer.set_password("a-new-long-password-2026")
    viewer.save()
    _after(traveller, views.SCREEN_RECHECK_SECONDS + 1)
    assert client.get(url).status_code == 403


def test_session_expiry_refuses_the_token(
    client: Client, live_plan: Plan, viewer: User, traveller: Traveller, settings: Settings
) -> None:
    url = _board(client, viewer, live_plan)
    client.cookies.clear()
    _after(traveller, settings.SESSION_COOKIE_AGE - 120)
    assert client.get(url).status_code == 200
    _after(traveller, settings.SESSION_COOKIE_AGE + 1)
    assert client.get(url).status_code == 403


def test_the_unchanged_poll_stays_one_query_and_rechecks_once_a_minute(
    client: Client,
    live_plan: Plan,
    viewer: User,
    traveller: Traveller,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = _board(client, viewer, live_plan)
    client.cookies.clear()
    live_plan.refresh_from_db()

    def etag() -> dict[str, str]:
        return {"If-None-Match": views.etag(live_plan.pk, live_plan.revision, views.current_bucket())}

    for second in (2, 4, 30, 58):
        _after(traveller, second)
        with django_assert_num_queries(1):  # the plan's revision, nothing else
            assert client.get(url, headers=etag()).status_code == 304
    _after(traveller, views.SCREEN_RECHECK_SECONDS + 1)
    with django_assert_num_queries(2):  # once a minute: the grant, its session and user; then the revision
        assert client.get(url, headers=etag()).status_code == 304
    _after(traveller, views.SCREEN_RECHECK_SECONDS + 3)
    with django_assert_num_queries(1):
        assert client.get(url, headers=etag()).status_code == 304


def test_a_token_is_for_its_plan_and_cannot_be_forged(client: Client, live_plan: Plan, viewer: User) -> None:
    other = factories.PlanFactory()
    url = _board(client, viewer, live_plan)
    token = url.split("?s=")[1]
    client.cookies.clear()
    views._VERIFIED.clear()
    assert client.get(reverse("warroom:fragment", args=[other.slug]) + "?s=" + token).status_code == 403
    assert client.get(url[:-2] + "xx").status_code == 403
    assert client.get(reverse("warroom:fragment", args=[live_plan.slug]) + "?s=").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_session_signed_out_meanwhile_gets_no_grant() -> None:
    from django.core.exceptions import PermissionDenied

    from plans.screens import screen_token

    user = factories.UserFactory(username="late")
    plan = factories.PlanFactory(coordinator=user)
    with pytest.raises(PermissionDenied):
        screen_token(plan, user=user, session_key="gone-session-key")
    assert not ScreenGrant.objects.exists()
