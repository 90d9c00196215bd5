"""The suite runs in several processes (pytest-xdist, `make test`): each has its own var dir and Redis key
prefix (launchcontrol/settings.py), and clearing the cache between tests empties only its own keys
(tests/conftest.py), never another process's cache or Celery queues (issue 11, finding 16)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import _unavailable, clear_cache
from tests.settings_probe import settings_under

ROOT = Path(__file__).resolve().parent.parent
SHOW = [
    "str(s.VAR_DIR)",
    "str(s.CACHES['default'].get('KEY_PREFIX'))",
    "str(getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', {}).get('global_keyprefix'))",
]


def settings_seen_by(worker: str, tmp_path: Path) -> list[str]:
    env = dict(os.environ, LC_VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:1/0", PYTEST_XDIST_WORKER=worker)
    env["DJANGO_SETTINGS_MODULE"] = "launchcontrol.settings"  # what manage.py and the workers use
    if not worker:
        env.pop("PYTEST_XDIST_WORKER")
    [seen] = settings_under([env], SHOW)
    return seen


def test_each_worker_has_its_own_var_dir_and_redis_prefix(tmp_path: Path) -> None:
    assert settings_seen_by("gw1", tmp_path) == [str(tmp_path / "xdist-gw1"), "lc-gw1", "gw1:"]
    assert settings_seen_by("", tmp_path) == [str(tmp_path), "lc", "None"]  # outside the suite: unchanged


@pytest.mark.redis
def test_clearing_the_cache_leaves_other_workers_keys(redis_url: str) -> None:
    from django.core.cache import caches

    cache = caches["default"]
    if "redis" not in type(cache).__module__:
        # Outside CI (no REDIS_URL: an in-process cache) this skips; in CI it fails, never skips.
        _unavailable("Redis as the cache", "REDIS_URL is not set: the cache is in-process")
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    other = "lc-gw-someone-else:1:board"
    client.set(other, b"theirs")
    cache.set("board", "mine")
    try:
        clear_cache()
        assert cache.get("board") is None
        assert client.get(other) == b"theirs"
    finally:
        client.delete(other)
    assert django_settings.CACHES["default"]["KEY_PREFIX"] == cache.key_prefix
