"""The board pushed in the event (live.push): a board's stream gets the fragment itself, the same bytes and
ETag a fetch gets, read once per change whatever the number of boards; every other stream (role and gate
pages, kiosks, a token that is not good for the plan) gets the small event and fetches; a failed read falls
back to the small event; a board whose token stops being good (signed out) is closed."""

from __future__ import annotations

import base64
import gzip
from typing import TYPE_CHECKING

import httpx
import pytest
from django.db import transaction
from django.urls import reverse

from live.push import encode
from plans.models import Plan, ScreenGrant
from plans.screens import screen_token
from plans.services import event_record
from tests import factories
from tests.asgi_server import read_events
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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


def _board(server: AsgiServer, plan: Plan, user: User) -> tuple[dict[str, str], str, str]:
    """A signed-in board's cookies, its stream URL (with its screen token) and its fragment URL."""
    cookies = session_cookie(user)
    token = screen_token(plan, user=user, session_key=next(iter(cookies.values())))
    stream = server.url + reverse("live:stream", args=[plan.slug]) + "?board=" + token
    return cookies, stream, server.url + reverse("warroom:fragment", args=[plan.slug]) + "?s=" + token


def test_a_boards_stream_carries_the_board_a_fetch_would_get(
    asgi_server: AsgiServer, plan: Plan, coordinator: User
) -> None:
    cookies, stream, fragment = _board(asgi_server, plan, coordinator)
    with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", stream) as response:
        lines = response.iter_lines()
        assert read_events(lines, "hello")["parts"] == ["board"]
        revision = bump(plan)
        event = read_events(lines, "rev")
        assert event["revision"] == revision
        board = event["parts"]["board"]
        fetched = client.get(fragment, headers={"Accept-Encoding": "identity"})
        assert fetched.status_code == 200
        assert board["etag"] == fetched.headers["etag"]
        assert gzip.decompress(base64.b64decode(board["gzip"])).decode() == fetched.text


def test_many_boards_one_read_per_change(asgi_server: AsgiServer, plan: Plan, coordinator: User) -> None:
    cookies, stream, _ = _board(asgi_server, plan, coordinator)
    hub_renders = 0
    with httpx.Client(timeout=10, cookies=cookies) as client:
        streams = [client.stream("GET", stream) for _ in range(8)]
        responses = [s.__enter__() for s in streams]
        try:
            readers = [r.iter_lines() for r in responses]
            for lines in readers:
                read_events(lines, "hello")
            hub = asgi_server.hub()
            assert hub is not None
            before = asgi_server.call(lambda: hub.renders)
            revision = bump(plan)
            events = [read_events(lines, "rev") for lines in readers]
            hub_renders = asgi_server.call(lambda: hub.renders) - before
        finally:
            for s in streams:
                s.__exit__(None, None, None)
    assert {e["revision"] for e in events} == {revision}
    assert len({e["parts"]["board"]["etag"] for e in events}) == 1
    assert hub_renders == 1  # one read (and encoding) for eight boards


def test_role_pages_kiosks_and_tokens_for_another_plan_get_the_small_event(
    asgi_server: AsgiServer, plan: Plan, coordinator: User
) -> None:
    other = factories.PlanFactory(slug="other", coordinator=coordinator)
    cookies, _, _ = _board(asgi_server, other, coordinator)
    wrong = screen_token(other, user=coordinator, session_key=next(iter(cookies.values())))
    base = asgi_server.url + reverse("live:stream", args=[plan.slug])
    for url in (base, base + "?board=" + wrong, base + "?board=forged"):
        with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", url) as response:
            lines = response.iter_lines()
            assert read_events(lines, "hello")["parts"] == []
            revision = bump(plan)
            event = read_events(lines, "rev")
            assert event["revision"] == revision and "parts" not in event  # the page fetches


def test_a_failed_read_falls_back_to_the_small_event(
    asgi_server: AsgiServer, plan: Plan, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(plan_id: int) -> tuple[int, str, str]:
        raise RuntimeError("the cache and the database are away")

    monkeypatch.setattr("live.hub.board_fragment", broken)
    cookies, stream, _ = _board(asgi_server, plan, coordinator)
    with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", stream) as response:
        lines = response.iter_lines()
        read_events(lines, "hello")
        revision = bump(plan)
        event = read_events(lines, "rev")
        assert event["revision"] == revision and "parts" not in event  # the board fetches, as before


def test_a_board_signed_out_stops_being_pushed_to(
    asgi_server: AsgiServer, plan: Plan, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("live.hub.RECHECK_SECONDS", 0.2)  # the token is checked again every 0.2 s
    cookies, stream, _ = _board(asgi_server, plan, coordinator)
    with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", stream) as response:
        lines = response.iter_lines()
        read_events(lines, "hello")
        ScreenGrant.objects.filter(plan=plan).delete()  # as signing out does (the session's grants go)
        assert [line for line in lines if line.startswith("event: rev")] == []  # the stream ends
    hub = asgi_server.hub()
    assert hub is not None
    assert asgi_server.call(hub.open_streams) == 0


def test_a_time_dependent_change_pushes_the_board_too(asgi_server: AsgiServer, plan: Plan, coordinator: User) -> None:
    """The hub's ``tick`` (an item became late: nothing was written) carries the board, read at that moment."""
    cookies, stream, _ = _board(asgi_server, plan, coordinator)
    with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", stream) as response:
        lines = response.iter_lines()
        read_events(lines, "hello")
        hub = asgi_server.hub()
        assert hub is not None
        asgi_server.call(lambda: hub.tick(plan.pk))
        event = read_events(lines, "tick")
        assert event["revision"] == plan.revision
        assert event["parts"]["board"]["etag"].startswith(f'"{plan.pk}.{plan.revision}.')


def test_a_board_is_never_pushed_older_than_the_one_the_page_has(
    asgi_server: AsgiServer, plan: Plan, coordinator: User
) -> None:
    """A read that started before the page opened its stream may finish with an older board: not sent."""
    cookies, stream, _ = _board(asgi_server, plan, coordinator)
    with httpx.Client(timeout=10, cookies=cookies) as client, client.stream("GET", stream) as response:
        lines = response.iter_lines()
        assert read_events(lines, "hello")["revision"] == plan.revision
        hub = asgi_server.hub()
        assert hub is not None

        def older() -> None:
            hub.pushed[plan.pk] = encode(
                "rev", 10**6, plan.revision - 1, '"0.0.0"', gzip.compress(b"<p>older</p>"), None
            )
            for watch in hub.watches[plan.pk]:
                watch.wake.set()

        asgi_server.call(older)
        revision = bump(plan)
        event = read_events(lines, "rev")  # the first rev event is the new one: the older was never sent
        assert event["revision"] == revision and event["parts"]["board"]["etag"] != '"0.0.0"'
