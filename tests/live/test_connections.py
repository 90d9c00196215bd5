"""Open streams hold no database connection: the credentials are checked when a stream opens and its
connection is closed at once; the hub reads per plan (its revisions, deadlines and the board it pushes), not
per stream.

A thousand streams. ``HTTP_STREAMS`` (200) go through the endpoint over raw sockets, half of them boards:
the credential check is the only per-stream database work, and opening one costs about 10-20 ms of Django's
request path, so 1,000 that way add 10 s or more to the test (``LIVE_TEST_STREAMS=1000`` does it). The
rest are opened on the server's loop as the endpoint opens them after its check (``live.stream.events``),
so the hub holds 1,000 streams when a change is pushed to them all."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.urls import reverse

from live.stream import events
from plans.models import Plan
from plans.screens import screen_token
from plans.services import event_record
from tests import factories
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from tests.asgi_server import AsgiServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HTTP_STREAMS = int(os.environ.get("LIVE_TEST_STREAMS", "200"))
STREAMS = max(1000, HTTP_STREAMS)


def _connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _pooled_idle() -> int:
    """Connections open in this process's pool (DB_POOL_SIZE) that no one holds: waiting to be lent."""
    pool = getattr(connection, "pool", None)
    return int(pool.get_stats()["pool_available"]) if pool is not None else 0


def _connections_closing() -> tuple[int, int]:
    """The database's connections, and how many of them are held by someone (not idle in the pool)."""
    try:
        total = _connections()
        return total, total - _pooled_idle()
    finally:
        connections.close_all()  # this worker thread's own


async def _open(port: int, path: str, cookie: str) -> asyncio.StreamWriter:
    """One stream, open until its writer is closed: a raw HTTP/1.1 GET read up to its hello."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode())
    await asyncio.wait_for(reader.readuntil(b"event: hello"), timeout=60)
    return writer


async def _in_loop(plan: Plan, token: str, count: int, revs: list[int]) -> list[asyncio.Task[None]]:
    """``count`` streams opened on this (the server's) loop after their check, as the endpoint opens them."""

    async def one(board: str) -> None:
        async for chunk in events(plan.pk, plan.revision, board):
            if chunk.startswith(b"event: rev"):
                revs.append(1)

    tasks = [asyncio.create_task(one(token if i % 2 else "")) for i in range(count)]
    await asyncio.sleep(0)
    return tasks


def test_many_open_streams_hold_no_database_connection(asgi_server: AsgiServer, require_postgres: object) -> None:
    plan = factories.PlanFactory()
    user = factories.UserFactory()
    ((name, key),) = session_cookie(user).items()
    token = screen_token(plan, user=user, session_key=key)
    path = reverse("live:stream", args=[plan.slug])
    port = int(asgi_server.url.rsplit(":", 1)[1])
    before = _connections()
    seen: dict[str, int] = {}
    revs: list[int] = []

    async def open_streams() -> None:
        writers: list[asyncio.StreamWriter] = []
        try:
            for start in range(0, HTTP_STREAMS, 100):  # in waves, as screens come and go
                wave = range(start, min(start + 100, HTTP_STREAMS))
                paths = [path + (f"?board={token}" if i % 2 else "") for i in wave]
                writers += await asyncio.gather(*(_open(port, p, f"{name}={key}") for p in paths))
            opened = asyncio.run_coroutine_threadsafe(
                _in_loop(plan, token, STREAMS - HTTP_STREAMS, revs), asgi_server.loop
            )
            tasks = opened.result(timeout=30)
            hub = asgi_server.hub()
            assert hub is not None
            seen["open"] = asgi_server.call(hub.open_streams)
            seen["boards"] = asgi_server.call(lambda: sum(w.board != "" for ws in hub.watches.values() for w in ws))
            await asyncio.to_thread(_bump, plan)  # a change pushed to them all: the hub reads once, per plan
            for _ in range(200):
                if len(revs) >= STREAMS - HTTP_STREAMS:
                    break
                await asyncio.sleep(0.05)
            seen["told"] = len(revs)
            seen["connections"], seen["held"] = await asyncio.to_thread(_connections_closing)
            for task in tasks:
                asgi_server.loop.call_soon_threadsafe(task.cancel)
        finally:
            for writer in writers:
                writer.close()

    asyncio.run(open_streams())
    assert seen["open"] == STREAMS
    assert seen["boards"] == STREAMS // 2
    assert seen["told"] == STREAMS - HTTP_STREAMS
    # Held: the test's own, and at most the hub's readers while they run (one each, per process: the
    # revisions without Redis, the deadlines, the board it pushes): never one per stream. Open: those, and
    # what the pool keeps to lend again (the credential checks ran 100 at a time), never more than its size.
    assert seen["held"] <= before + 3, seen
    options: dict[str, Any] = settings.DATABASES["default"].get("OPTIONS", {})  # type: ignore[assignment]
    pool: dict[str, int] = options.get("pool", {})
    assert seen["connections"] <= before + 3 + pool.get("max_size", 0), seen


def _bump(plan: Plan) -> None:
    try:
        with transaction.atomic():
            event_record(plan, kind="test.bump", summary="a change")
    finally:
        connections.close_all()
