"""Finding 5 (calendar feeds): tokens never expired, could not be revoked, and every role's feed link was
shown to everyone signed in. Now a feed is a revocable row with an expiry; the URL carries a random token
whose hash alone is stored; only the role's holders and the coordinator see, make and revoke links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communications.ical import feed_create, feed_for, feed_revoke, token_hash
from communications.models import CalendarFeed
from plans.models import Event
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan
    from roles.models import Role
    from tests.fixture_types import ClientResponse


pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class People(TypedDict):
    primary: User
    backup: User
    stranger: User
    dba: Role
    qa: Role
    coord: User


@pytest.fixture
def people(plan: Plan, coordinator: User) -> People:
    primary, backup, stranger = (factories.UserFactory(username=n) for n in ("prim", "back", "stranger"))
    dba = factories.RoleFactory(plan=plan, name="DBA", primary=primary, backup=backup)
    qa = factories.RoleFactory(plan=plan, name="QA Lead", primary=stranger)
    factories.StepFactory(plan=plan, lead_role=dba, name="Cut over DNS")
    return {"primary": primary, "backup": backup, "stranger": stranger, "dba": dba, "qa": qa, "coord": coordinator}


def _ics(client: Client, plan: Plan, token: str) -> ClientResponse:
    return client.get(reverse("communications:ical", args=[plan.slug, token]))


def test_holders_and_the_coordinator_make_links_others_are_refused(plan: Plan, people: People) -> None:
    dba = people["dba"]
    for who in ("primary", "backup", "coord"):
        feed, token = feed_create(dba, by=people[who])
        assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    with pytest.raises(PermissionDenied):
        feed_create(dba, by=people["stranger"])
    with pytest.raises(PermissionDenied):
        feed_revoke(feed, by=people["stranger"])
    assert CalendarFeed.objects.filter(role=dba).count() == 3
    assert Event.objects.filter(plan=plan, kind="calendar.created").count() == 3
    assert not Event.objects.filter(data__icontains=token).exists()


def test_the_database_keeps_only_the_hash(plan: Plan, people: People) -> None:
    feed, token = feed_create(people["dba"], by=people["primary"])
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    assert len(feed.token_hash) == 64 and len(token) >= 40


def test_revocation_is_effective_on_the_next_request(client: Client, plan: Plan, people: People) -> None:
    feed, token = feed_create(people["dba"], by=people["primary"])
    assert _ics(client, plan, token).status_code == 200
    feed_revoke(feed, by=people["backup"])
    assert _ics(client, plan, token).status_code == 404
    assert Event.objects.filter(plan=plan, kind="calendar.revoked").count() == 1


def test_a_link_expires_after_the_days_chosen(client: Client, plan: Plan, people: People) -> None:
    with time_machine.travel(START, tick=False):
        _, short = feed_create(people["dba"], by=people["primary"], days="3")
        feed, default = feed_create(people["dba"], by=people["primary"])
    assert feed.expires_at == START + timedelta(days=30)
    with time_machine.travel(START + timedelta(days=3, seconds=-1), tick=False):
        assert _ics(client, plan, short).status_code == 200
    with time_machine.travel(START + timedelta(days=3, seconds=1), tick=False):
        assert _ics(client, plan, short).status_code == 404
        assert _ics(client, plan, default).status_code == 200
    with time_machine.travel(START + timedelta(days=31), tick=False):
        assert _ics(client, plan, default).status_code == 404


@pytest.mark.parametrize("days", ["0", "366", "x", "-1"])
def test_an_expiry_out_of_range_is_refused_and_nothing_is_made(plan: Plan, people: People, days: str) -> None:
    with pytest.raises(ValidationError):
        feed_create(people["dba"], by=people["primary"], days=days)
    assert not CalendarFeed.objects.exists()


def test_a_token_opens_only_its_plan_and_role(client: Client, plan: Plan, people: People) -> None:
    _, token = feed_create(people["dba"], by=people["primary"])
    other = factories.PlanFactory()
    assert _ics(client, other, token).status_code == 404
    assert _ics(client, plan, token[:-2] + "xx").status_code == 404
    assert feed_for(plan, "") is None and feed_for(plan, "x" * 5000) is None
    body = _ics(client, plan, token).content.decode()
    assert "Cut over DNS" in body and "QA Lead" not in body


def test_last_used_is_recorded_at_most_every_five_minutes(client: Client, plan: Plan, people: People) -> None:
    feed, token = feed_create(people["dba"], by=people["primary"])
    with time_machine.travel(START, tick=False):
        _ics(client, plan, token)
    feed.refresh_from_db()
    assert feed.last_used_at == START
    with time_machine.travel(START + timedelta(minutes=2), tick=False):
        _ics(client, plan, token)
    feed.refresh_from_db()
    assert feed.last_used_at == START


def test_the_page_shows_links_only_to_holders_and_the_coordinator(client: Client, plan: Plan, people: People) -> None:
    _, token = feed_create(people["dba"], by=people["primary"])
    page = reverse("communications:page", args=[plan.slug])
    dba, qa = people["dba"], people["qa"]

    client.force_login(people["stranger"])  # holds QA Lead, not DBA
    html = client.get(page).content.decode()
    assert f'id="cal-role-{qa.pk}"' in html and f'id="cal-role-{dba.pk}"' not in html
    assert token not in html

    client.force_login(factories.UserFactory(username="nobody"))
    html = client.get(page).content.decode()
    assert "cal-role-" not in html and "You hold no role" in html

    for who in ("primary", "coord"):
        client.force_login(people[who])
        html = client.get(page).content.decode()
        assert f'id="cal-role-{dba.pk}"' in html and "expires" in html
        assert token not in html  # shown once, at creation, never again


def test_making_and_revoking_through_the_page(client: Client, plan: Plan, people: People) -> None:
    dba = people["dba"]
    client.force_login(people["stranger"])
    create = reverse("communications:calendar_create", args=[plan.slug])
    assert client.post(create, {"role": dba.pk}).status_code == 403
    assert client.post(create, {"role": "nope"}).status_code == 404
    assert client.post(create, {"role": "9" * 30}).status_code == 404
    assert not CalendarFeed.objects.exists()

    client.force_login(people["backup"])
    response = client.post(create, {"role": dba.pk, "days": "7"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    url = response.context["url"]
    assert url in html and "shown only this once" in html
    feed = CalendarFeed.objects.get()
    assert (feed.expires_at - feed.created_at) == timedelta(days=7)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert _ics(client, plan, token).status_code == 200

    bad = client.post(create, {"role": dba.pk, "days": "999"}, follow=True)
    assert "between 1 and 365 days" in bad.content.decode() and CalendarFeed.objects.count() == 1

    revoke = reverse("communications:calendar_revoke", args=[plan.slug, feed.pk])
    client.force_login(people["stranger"])
    assert client.post(revoke).status_code == 403
    assert _ics(client, plan, token).status_code == 200
    client.force_login(people["primary"])
    assert client.post(revoke).status_code == 302
    assert _ics(client, plan, token).status_code == 404
