"""Open streams hold no database connection: the credentials are checked when a stream opens and its
connection is closed at once; the hub reads per plan (its revisions, deadlines and the board it pushes), not
per stream. A thousand streams, half of them boards (their fragment pushed), opened over raw sockets so the
test stays a few seconds; ``LIVE_TEST_STREAMS`` changes the count."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

import pytest
from django.db import connection, connections
from django.urls import reverse

from plans.screens import screen_token
from tests import factories
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from tests.asgi_server import AsgiServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STREAMS = int(os.environ.get("LIVE_TEST_STREAMS", "1000"))


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


async def _open(port: int, path: str, cookie: str) -> asyncio.StreamWriter:
    """One stream, open until its writer is closed: a raw HTTP/1.1 GET read up to its hello."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    await asyncio.wait_for(reader.readuntil(b"event: hello"), timeout=60)
    return writer


def test_many_open_streams_hold_no_database_connection(asgi_server: AsgiServer, require_postgres: object) -> None:
    plan = factories.PlanFactory()
    user = factories.UserFactory()
    ((name, key),) = session_cookie(user).items()
    token = screen_token(plan, user=user, session_key=key)
    path = reverse("live:stream", args=[plan.slug])
    port = int(asgi_server.url.rsplit(":", 1)[1])
    before = _connections()
    seen: dict[str, int] = {}

    async def open_streams() -> None:
        writers: list[asyncio.StreamWriter] = []
        try:
            for start in range(0, STREAMS, 100):  # in waves, as screens come and go
                wave = range(start, min(start + 100, STREAMS))
                paths = [path + (f"?board={token}" if i % 2 else "") for i in wave]
                writers += await asyncio.gather(*(_open(port, p, f"{name}={key}") for p in paths))
            hub = asgi_server.hub()
            assert hub is not None
            seen["open"] = asgi_server.call(hub.open_streams)
            seen["boards"] = asgi_server.call(lambda: sum(w.board != "" for ws in hub.watches.values() for w in ws))
            seen["connections"] = await asyncio.to_thread(_connections_closing)
        finally:
            for writer in writers:
                writer.close()

    asyncio.run(open_streams())
    assert seen["open"] == STREAMS
    assert seen["boards"] == STREAMS // 2
    # The test's own connection, and at most the hub's reader while it runs: never one per stream.
    assert seen["connections"] <= before + 2, seen
