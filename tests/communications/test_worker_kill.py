"""Real Postgres, real Redis, a real Celery worker killed with SIGKILL mid-batch, and two beats.

What is guaranteed: every delivery is *recorded* as sent exactly once (compare-and-set on the claim
token), none is missed (a lost claim is reclaimed), and two beats create no second row. The far side may
receive a delivery that was in flight at the kill twice, always with the same Idempotency-Key, so a
receiver that deduplicates by that key sees each delivery exactly once; this test's sink does that.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from django.db import connection, connections
from django.utils import timezone

from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from tests import factories
from tests.communications.sink import Sink

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.backends.base.base import BaseDatabaseWrapper
    from pytest_django import Settings


N = 30
BASE_DIR = Path(__file__).resolve().parents[2]


def _two_beats() -> list[dict]:
    results: list[dict] = []

    def beat() -> None:
        try:
            results.append(outbox.tick())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


#: The worker's short timings (the test process sets the same through ``settings``).
FAST = {
    "WEBHOOK_ALLOW_PRIVATE": "true",  # the sink listens on 127.0.0.1
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "OUTBOX_SEND_SOFT_TIME_LIMIT_SECONDS": "3",
    "OUTBOX_SEND_TIME_LIMIT_SECONDS": "4",
    "OUTBOX_CLAIM_TIMEOUT_SECONDS": "5",
    "OUTBOX_UNSTARTED_RECLAIM_SECONDS": "2",
    "OUTBOX_RETRY_BASE_SECONDS": "1",
}


def _start_worker(redis_url: str, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="launchcontrol.settings",
        # Celery runs Django's system checks at each worker start (about 1 s of CPU); `manage.py check` is
        # tested on its own (tests/test_deploy.py), and these workers are started again and again.
        CELERY_SKIP_CHECKS="1",
        **FAST,
    )
    env.pop("OUTBOX_SEND_INLINE", None)
    celery = str(Path(sys.executable).with_name("celery"))
    cmd = [
        celery,
        "-A",
        "launchcontrol",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"killtest-{uuid.uuid4().hex[:8]}@%h",
    ]
    handle = log.open("ab")
    return subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(predicate: Callable[[], object], what: str, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_beats_and_a_worker_killed_mid_batch_lose_and_double_nothing(
    require_postgres: BaseDatabaseWrapper, redis_url: str, settings: Settings, tmp_path: Path
) -> None:
    settings.OUTBOX_SEND_INLINE = False
    for name, value in FAST.items():
        setattr(settings, name, value == "true" or float(value))
    from launchcontrol.celery import app

    app.control.purge()  # nothing left over from another run

    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, t0=timezone.now() + timedelta(minutes=10))
    plan.created_at = timezone.now() - timedelta(hours=1)
    plan.save(update_fields=["created_at"])
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen] = []
    with Sink(delay=0.25) as sink:
        hooks = [
            Channel.objects.create(plan=plan, name=f"hook {n}", kind=ChannelKind.WEBHOOK, target=f"{sink.url}/ok/{n}")
            for n in range(N)
        ]
        message = Message.objects.create(
            plan=plan, name="Go live", offset=timedelta(minutes=-11), audience=Audience.STAFF, body="Live."
        )
        message.channels.set(hooks)
        try:
            workers.append(_start_worker(redis_url, log))
            results = _two_beats()
            assert sum(r["created"] for r in results) == N  # the unique key: two beats, one row each
            assert sum(r["claimed"] for r in results) == N  # skip_locked: disjoint claims
            _wait_for(lambda: len(sink.calls) >= 6, "the first sends")
            _kill(workers[0])  # SIGKILL, mid-batch
            in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
            assert 0 < in_flight < N, log.read_text()

            workers.append(_start_worker(redis_url, log))

            def all_sent() -> bool:
                _two_beats()
                return not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()

            def settled() -> bool:
                time.sleep(0.5)
                return all_sent()

            _wait_for(settled, "every delivery to be sent after the restart", limit=120)
        finally:
            for proc in workers:
                _kill(proc)

    rows = list(Delivery.objects.filter(plan=plan))
    rows_by_key = {str(r.idempotency_key): r for r in rows}
    assert len(rows) == N
    assert all(r.status == DeliveryStatus.SENT and r.sent_at for r in rows)
    keys = sink.keys()
    ids = {str(r.idempotency_key) for r in rows}
    assert set(keys) == ids  # none missing
    repeats = sum(keys.values()) - N
    # Only what was in flight at the kill may reach the sink twice, with the same key (deduplicated), and
    # each of those is recorded as such: an unknown outcome retried once, never blindly.
    assert repeats <= 4, keys
    for key, n in keys.items():
        assert n == 1 or rows_by_key[key].unknown_attempts == 1, (key, n)
    assert max(keys.values()) <= 2
