from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchcontrol.settings")

log = logging.getLogger(__name__)

app = Celery("launchcontrol")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def tolerate_restore_on_a_collected_connection() -> None:
    """Keep a worker alive when Redis goes away while it holds unacknowledged tasks.

    On a lost broker connection, Celery 5.7 collects the connection and then closes its channel; kombu
    5.7's Redis channel then tries to put the unacknowledged messages back through a client it can no
    longer build (``AttributeError: 'NoneType' object has no attribute 'hostname'``), and the worker logs
    "Unrecoverable error" and hangs instead of reconnecting (seen in
    tests/communications/test_outbox_fault_run.py). Skipping that restore is safe: the messages stay in
    Redis's unacked set, which the next worker restores after the visibility timeout, and the outbox
    reclaims their rows long before (a task that then arrives finds its claim stale and does nothing).
    """
    try:
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover - no redis client installed
        return
    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "_launchcontrol_tolerant", False):
        return

    def restore_unacked(self: Any, client: Any = None) -> Any:
        try:
            return original(self, client)
        except AttributeError as exc:
            log.warning("celery: unacknowledged messages left for the visibility timeout (%s)", exc)
            self._delivered.clear()
            return None

    restore_unacked._launchcontrol_tolerant = True  # type: ignore[attr-defined]
    kombu_redis.QoS.restore_unacked = restore_unacked  # type: ignore[method-assign]


tolerate_restore_on_a_collected_connection()
