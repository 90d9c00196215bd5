"""PostgreSQL connections come from psycopg's pool (DB_POOL_SIZE, launchcontrol/settings.py): a request in a
thread of its own (as ASGI runs every request's sync code) takes an open connection and gives it back, instead
of starting a PostgreSQL server process for itself and ending it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.settings_probe import settings_under

PG = "postgres://u@db:5432/lc"
OPTIONS = 's.DATABASES["default"].get("OPTIONS", {}).get("pool")'
MAX_AGE = 's.DATABASES["default"].get("CONN_MAX_AGE", 0)'


def test_the_pool_is_on_for_postgresql_by_default_and_off_when_asked() -> None:
    default, sized, off, persistent, sqlite = settings_under(
        [
            {"DATABASE_URL": PG},
            {"DATABASE_URL": PG, "DB_POOL_SIZE": "25"},
            {"DATABASE_URL": PG, "DB_POOL_SIZE": "0"},
            {"DATABASE_URL": PG, "DB_CONN_MAX_AGE": "60"},
            {"DATABASE_URL": "sqlite:///tmp/lc.sqlite3"},
        ],
        [OPTIONS, MAX_AGE],
    )
    assert default == [{"min_size": 0, "max_size": 10, "max_idle": 60, "timeout": 10}, 0]
    assert sized[0]["max_size"] == 25
    assert off == [None, 0]
    assert persistent == [None, 60]  # Django refuses a pool with persistent connections: one or the other
    assert sqlite[0] is None


def _backend_in_a_thread_of_its_own() -> int:
    """What a request does under ASGI: its own thread, a query, the connection closed at its end."""
    seen: list[int] = []

    def request() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                seen.append(int(cursor.fetchone()[0]))
        finally:
            connections.close_all()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    return seen[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_in_threads_of_their_own_reuse_one_server_process(require_postgres: object) -> None:
    pool = getattr(connection, "pool", None)  # PostgreSQL's wrapper's (not in the base class's stubs)
    assert pool is not None, "the suite runs with the pool, as production does"
    _backend_in_a_thread_of_its_own()  # the pool holds one at least (the suite's earlier tests may have left more)
    opened = pool.get_stats().get("connections_num", 0)
    backends = {_backend_in_a_thread_of_its_own() for _ in range(20)}
    assert pool.get_stats().get("connections_num", 0) == opened, "a request opened a connection of its own"
    assert len(backends) <= pool.get_stats()["pool_size"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_in_the_pool_is_replaced_not_lent(require_postgres: object) -> None:
    """A pooled connection whose server process has gone (a database restart, an administrator's
    pg_terminate_backend) is checked before it is lent (CONN_HEALTH_CHECKS): the next request gets a live one."""
    dead = _backend_in_a_thread_of_its_own()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dead])
    assert _backend_in_a_thread_of_its_own() != dead
