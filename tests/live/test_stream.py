"""The push channel end to end, on a real ASGI server (uvicorn in a thread): a revision committed by a
service reaches an open stream, with Redis and without it; kiosks and refusals; and the stream is an
event stream a proxy will not buffer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from django.db import transaction
from django.urls import reverse

from plans.kiosk import kiosk_token
from plans.models import Plan
from plans.services import event_record, kiosk_create, kiosk_revoke
from tests import factories
from tests.asgi_server import read_events
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from pytest_django import Settings

    from tests.asgi_server import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)


def bump(plan: Plan) -> int:
    with transaction.atomic():
        event_record(plan, kind="test.bump", summary="a change")
    return Plan.objects.get(pk=plan.pk).revision


@pytest.fixture
def coordinator(db: None) -> User:
    return factories.UserFactory(username="coord")


@pytest.fixture
def plan(coordinator: User) -> Plan:
    return factories.PlanFactory(slug="go-live", coordinator=coordinator)


def _stream_url(server: AsgiServer, plan: Plan) -> str:
    return server.url + reverse("live:stream", args=[plan.slug])


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "no-redis"])
def test_a_committed_revision_reaches_an_open_stream(
    asgi_server: AsgiServer, plan: Plan, coordinator: User, settings: Settings, with_redis: bool, redis_url: str
) -> None:
    if not with_redis:
        settings.REDIS_URL = ""  # the embedded default: in-process delivery and the revision poll
    with (
        httpx.Client(timeout=10, cookies=session_cookie(coordinator)) as client,
        client.stream("GET", _stream_url(asgi_server, plan)) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["cache-control"] == "no-store"
        lines = response.iter_lines()
        hello = read_events(lines, "hello")
        assert hello["revision"] == plan.revision
        revision = bump(plan)
        assert read_events(lines, "rev")["revision"] == revision
        revision = bump(plan)  # and the next one: the stream stays open
        assert read_events(lines, "rev")["revision"] == revision


def test_a_write_in_another_process_reaches_the_stream_through_the_revision_poll(
    asgi_server: AsgiServer, plan: Plan, coordinator: User, settings: Settings
) -> None:
    """Without Redis a Celery worker's write (another process) is seen by the hub's revision poll: here
    the revision changes behind the publisher's back (an UPDATE, no signal)."""
    settings.REDIS_URL = ""
    settings.LIVE_POLL_SECONDS = 0.05
    with (
        httpx.Client(timeout=10, cookies=session_cookie(coordinator)) as client,
        client.stream("GET", _stream_url(asgi_server, plan)) as r,
    ):
        lines = r.iter_lines()
        read_events(lines, "hello")
        Plan.objects.filter(pk=plan.pk).update(revision=plan.revision + 5)
        assert read_events(lines, "rev")["revision"] == plan.revision + 5


def test_a_kiosk_streams_until_its_link_is_revoked(asgi_server: AsgiServer, plan: Plan, coordinator: User) -> None:
    """The open stream ends as soon as the link is revoked (not at LIVE_STREAM_MAX_SECONDS), with nothing more
    sent to the screen; the next connection is refused."""
    link = kiosk_create(plan, by=coordinator, label="TV")
    other = kiosk_create(plan, by=coordinator, label="Lobby")
    url = asgi_server.url + reverse("live:kiosk_stream", args=[kiosk_token(link)])
    other_url = asgi_server.url + reverse("live:kiosk_stream", args=[kiosk_token(other)])
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", url) as response, client.stream("GET", other_url) as lobby:
            assert response.status_code == 200
            lines, lobby_lines = response.iter_lines(), lobby.iter_lines()
            read_events(lines, "hello")
            read_events(lobby_lines, "hello")
            revision = bump(plan)
            assert read_events(lines, "rev")["revision"] == revision
            assert read_events(lobby_lines, "rev")["revision"] == revision
            kiosk_revoke(link, by=coordinator)
            after = [line for line in lines if line.startswith("event: ")]  # until the server ends it
            assert after in ([], ["event: rev"])  # at most the revocation's own revision, then the end
            assert read_events(lobby_lines, "rev")["revision"] == revision + 1  # the revocation's own revision
            revision = bump(plan)  # the other screen's stream goes on
            assert read_events(lobby_lines, "rev")["revision"] == revision
        assert client.get(url).status_code == 403  # the next connection is refused


def test_strangers_and_forged_tokens_are_refused(asgi_server: AsgiServer, plan: Plan) -> None:
    with httpx.Client(timeout=10) as client:
        assert client.get(_stream_url(asgi_server, plan)).status_code == 403  # anonymous
        forged = asgi_server.url + reverse("live:kiosk_stream", args=["not-a-token"])
        assert client.get(forged).status_code == 403
    with httpx.Client(timeout=10, cookies=session_cookie(factories.UserFactory())) as client:
        url = asgi_server.url + reverse("live:stream", args=["nope"])
        assert client.get(url).status_code == 404


def test_under_wsgi_the_stream_says_so_and_the_page_polls(plan: Plan, coordinator: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("live:stream", args=[plan.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")  # EventSource refuses it: the page polls


def test_the_hub_closes_streams_and_the_stream_ends(asgi_server: AsgiServer, plan: Plan, coordinator: User) -> None:
    with (
        httpx.Client(timeout=10, cookies=session_cookie(coordinator)) as client,
        client.stream("GET", _stream_url(asgi_server, plan)) as r,
    ):
        lines = r.iter_lines()
        read_events(lines, "hello")
        asgi_server.close_streams()
        assert [line for line in lines if line] == []  # the body ends: the browser reconnects
    hub = asgi_server.hub()
    assert hub is not None
    assert asgi_server.call(hub.open_streams) == 0
