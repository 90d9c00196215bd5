"""Shared fixtures. Real parts: a test that needs Postgres, Redis or the browser and cannot reach it
fails under CI=true; outside CI it is skipped with the reason, so `make test` on a bare laptop passes."""

from __future__ import annotations

import gc
import os
import shutil
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from tests import factories

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from django.contrib.auth.models import User
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.client import ClientMixin
    from playwright.sync_api import Browser, Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from plans.models import Plan
    from tests.chromium import Chromium
    from tests.endpoints import World
    from tests.fixture_types import LoginPage


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# PostgreSQL: the tests' connections, and those of the processes they start (Celery workers, servers),
# commit without waiting for the WAL to reach the disk (libpq reads PGOPTIONS). What a commit makes
# visible, and when, is unchanged; only a crash of the database server could lose the last commits, which
# a test database does not mind. A commit took 6 ms on the shared machine, 0.25 ms so; the migrations,
# the transactional tests' flushes, the live servers and the workers commit thousands of times.
if "synchronous_commit" not in os.environ.get("PGOPTIONS", ""):
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The waiting tests, then the light ones, the long and heavy ones, and light ones to end with, so that the
    pytest-xdist processes keep the cores busy and finish together (tests/scheduling.py)."""
    from tests.scheduling import suite_order

    suite_order(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What every test process holds for its whole life (Django, the apps, the collected tests: some 250,000
    objects) is moved out of the garbage collector's sight (``gc.freeze``): a full collection, which ran every
    few seconds of a test process, walked all of it each time to find nothing, a tenth of a process's CPU."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``--dist load`` (the default), the waiting tests to one process, the rest two at a time to whoever
    runs short (tests/scheduling.py)."""
    if config.getoption("dist") != "load":
        return None
    from tests.scheduling import PullScheduling

    return PullScheduling(config, log)


def _unavailable(what: str, why: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required in CI but unavailable: {why}", pytrace=False)
    pytest.skip(f"{what} unavailable ({why}); CI runs this test")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgres(settings: Settings) -> BaseDatabaseWrapper:
    from django.db import connection

    if connection.vendor != "postgresql":
        _unavailable("PostgreSQL", "DATABASE_URL is not a postgres:// URL")
    return connection


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _unavailable("Redis", "REDIS_URL is not set")
    if not _reachable(url, 6379):
        _unavailable("Redis", f"cannot connect to {url}")
    return url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """This test process's Playwright and Chromium (tests/chromium.py), started by the first test that takes
    the ``browser``: one launch per pytest-xdist worker, not one per test module (about 0.8 s of CPU each,
    plus Chromium's own)."""
    from tests.chromium import Chromium

    started = Chromium()
    yield started
    started.close()


@pytest.fixture
def browser(chromium: Chromium) -> Iterator[Browser]:
    """The process's Chromium, launched again if it died; each test opens contexts of its own (``page``).
    Playwright's event loop reads as running in this thread only from this fixture's setup to its teardown,
    so the tests that do not take it may run async code (``asyncio.run``, an async view through the test
    client) whatever browser tests ran before them in this process (tests/chromium.py says why)."""
    from tests.chromium import CHROMIUM

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        _unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    with chromium.using() as connected:
        yield connected


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def login_page(live_server: LiveServer) -> LoginPage:
    """Sign a Playwright page in as a user: ``login_page(page, user)`` (a session cookie, tests/signin.py)."""
    from tests.signin import sign_in

    def _login(pg: Page, user: User) -> Page:
        sign_in(pg.context, live_server.url, user)
        return pg

    return _login


def clear_cache() -> None:
    """Empty this test process's cache. On Redis only its own keys: ``cache.clear()`` is FLUSHDB, which
    would also empty the cache and the Celery queues of the other pytest-xdist workers sharing the database
    (each has its own key prefix, see launchcontrol/settings.py)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from live.views import forget_public
    from statuspage.cache import forget_local

    forget_local()  # the status page's per-process copies (statuspage.cache.LOCAL_SECONDS)
    forget_public()  # the public stream's plan checks (live.views.PUBLIC_CHECK_SECONDS)
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Users are made by the hundred and sign in by the hundred: hash their passwords with MD5, not
    PBKDF2's million rounds (1-2 s a password on a busy machine). Hashing itself is Django's, not ours;
    production settings are untouched (tests/test_deploy.py checks those in a process of their own)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete() -> Iterator[None]:
    """A transactional test (a live server, a browser, real workers) empties every table afterwards
    (Django's ``flush``). On PostgreSQL that is one TRUNCATE of the 74 tables, which creates new files for
    each table and index: 0.3-3 s a test on the shared machine; DELETE of the few rows a test leaves took a
    fifth of it. Same end state: every table empty, sequences not reset (as TRUNCATE without RESTART
    IDENTITY), in one transaction, the foreign keys (DEFERRABLE INITIALLY DEFERRED, as Django makes them)
    checked at its commit. A flush that resets sequences is Django's own.

    The content types and permissions are kept (the migrations made them; no test changes them), so the
    ``post_migrate`` signal Django sends after each flush to make them again (about 60 queries a test) is
    skipped for those flushes; after Django's own flush it is sent as before. The DELETEs go to the server
    in one statement string: one round trip, not 74."""
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    original, original_emit = DatabaseOperations.sql_flush, getattr(flush, "emit_post_migrate_signal")  # noqa: B009
    kept = ("django_content_type", "auth_permission")
    last = {"kept": False}

    def sql_flush(
        self: DatabaseOperations, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        last["kept"] = bool(tables) and not reset_sequences
        if not last["kept"]:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = (f"DELETE FROM {self.quote_name(table)};" for table in tables if table not in kept)
        return [" ".join(["SET CONSTRAINTS ALL DEFERRED;", *deletes])]

    def emit_post_migrate_signal(*args: Any, **kwargs: Any) -> None:
        if not last.pop("kept", False):
            original_emit(*args, **kwargs)

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign,assignment]
    setattr(flush, "emit_post_migrate_signal", emit_post_migrate_signal)  # noqa: B010 (not in the stubs)
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]
    setattr(flush, "emit_post_migrate_signal", original_emit)  # noqa: B010


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's, except that on PostgreSQL each process copies a migrated template database instead
    of migrating its own (tests/testdb.py); dropped again at the end, as pytest-django does."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.testdb import clone_test_database, drop_test_database

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            original = clone_test_database()
            yield
            drop_test_database(original)
            return
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False)
        yield
        teardown_databases(config, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    clear_cache()


@pytest.fixture
def coordinator(db: None) -> User:
    return factories.UserFactory(username="coord")


@pytest.fixture
def plan(db: None, coordinator: User) -> Plan:
    return factories.PlanFactory(coordinator=coordinator)


@pytest.fixture(autouse=True)
def _client_login_passes_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-axes throttles sign-ins per address, so it needs the request; Django's test
    ``client.login()`` authenticates without one. Give it a plain request from 127.0.0.1 (force_login
    never authenticates and needs nothing)."""
    from django.http import HttpRequest
    from django.test.client import ClientMixin

    original = ClientMixin.login

    def login(self: ClientMixin, **credentials: Any) -> bool:
        if "request" not in credentials:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
            credentials["request"] = request
        return original(self, **credentials)

    monkeypatch.setattr(ClientMixin, "login", login)


# --- Hypothesis: a bounded, deterministic run in `make test`; `make fuzz` (FUZZ_EXAMPLES=N) goes longer --

from hypothesis import HealthCheck, Phase  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis.database import DirectoryBasedExampleDatabase  # noqa: E402

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)
_FUZZ_HEALTH = [
    HealthCheck.function_scoped_fixture,  # each example runs in a savepoint that is rolled back
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]
hypothesis_settings.register_profile(
    "ci",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
    print_blob=True,
    suppress_health_check=_FUZZ_HEALTH,
)
hypothesis_settings.register_profile(
    "fuzz",
    max_examples=FUZZ_EXAMPLES or 2000,
    deadline=None,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".var/hypothesis"),
    print_blob=True,
    suppress_health_check=_FUZZ_HEALTH,
)
hypothesis_settings.load_profile("fuzz" if FUZZ_EXAMPLES else "ci")


def fuzz_examples(bounded: int) -> int:
    """Examples per fuzz test: ``bounded`` in `make test`, FUZZ_EXAMPLES in `make fuzz`."""
    return FUZZ_EXAMPLES or bounded


@pytest.fixture(scope="module")
def _world_built(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world built once for a test module (it was ~80 queries per test, most of the URL guard's and the
    API tests' set-up), in a transaction rolled back after the module's last test. Each test runs in a
    savepoint of its own inside it (pytest-django's ``db``), rolled back after it, so what one test writes
    the next never sees; :func:`world` hands each test a deep copy of the objects as they were built."""
    from django.db import transaction
    from django.test.utils import override_settings

    from tests.endpoints import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(**WORLD_SETTINGS):
            built = build_world()
            built.sign_in_everyone()
        yield built
        transaction.set_rollback(True)


WORLD_SETTINGS: dict[str, Any] = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],  # users are made, not typed
    "OUTBOX_SEND_INLINE": True,
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


@pytest.fixture
def world(_world_built: World, db: None, settings: Settings) -> World:
    """A plan with one of everything a URL names and a user per actor (see tests/endpoints.py): the
    module's world, as built (a deep copy of its objects, no signed-in clients yet)."""
    import copy

    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
    assert not _world_built._clients  # clients sign in inside a test's savepoint: never shared
    return copy.deepcopy(_world_built)
