"""Open streams hold no database connection: the credentials are checked when a stream opens and its
connection is closed at once; the hub reads per plan, not per stream. ``LIVE_TEST_STREAMS`` raises the
count (``LIVE_TEST_STREAMS=1000``); the suite opens 200."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import pytest
from django.db import connection, connections
from django.urls import reverse

from tests import factories
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from tests.asgi_server import AsgiServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STREAMS = int(os.environ.get("LIVE_TEST_STREAMS", "200"))


def _connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _connections_closing() -> int:
    try:
        return _connections()
    finally:
        connections.close_all()  # this worker thread's own


def test_many_open_streams_hold_no_database_connection(
    asgi_server: AsgiServer, require_postgres: object, settings: object
) -> None:
    plan = factories.PlanFactory()
    cookies = session_cookie(factories.UserFactory())
    url = asgi_server.url + reverse("live:stream", args=[plan.slug])
    before = _connections()
    seen: dict[str, int] = {}

    async def open_streams() -> None:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with httpx.AsyncClient(timeout=60, limits=limits, cookies=cookies) as client:

            async def one() -> tuple[httpx.Response, AsyncIterator[str]]:
                response = await client.send(client.build_request("GET", url), stream=True)
                lines = response.aiter_lines()  # kept: a collected line reader closes its stream
                while not (await anext(lines)).startswith("event: hello"):
                    pass
                return response, lines

            responses: list[tuple[httpx.Response, AsyncIterator[str]]] = []
            for start in range(0, STREAMS, 50):  # in waves, as screens come and go
                responses += await asyncio.gather(*(one() for _ in range(min(50, STREAMS - start))))
            hub = asgi_server.hub()
            assert hub is not None
            seen["open"] = asgi_server.call(hub.open_streams)
            seen["connections"] = await asyncio.to_thread(_connections)
            for response, _ in responses:
                await response.aclose()

    asyncio.run(open_streams())
    assert seen["open"] == STREAMS
    # The test's own connection, and at most the hub's reader while it runs: never one per stream.
    assert seen["connections"] <= before + 2, seen
