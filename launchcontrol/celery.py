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


def tolerate_a_collected_connection() -> None:
    """Keep a worker alive when Redis goes away while it holds unacknowledged tasks.

    On a lost broker connection, Celery 5.7 collects the connection and then closes its channel; kombu
    5.7's Redis channel then tries to put the unacknowledged messages back through a client it can no
    longer build (``AttributeError: 'NoneType' object has no attribute 'hostname'``), and the worker logs
    "Unrecoverable error" and hangs instead of reconnecting (seen in
    tests/communications/test_outbox_fault_run.py). Skipping that restore is safe: the messages stay in
    Redis's unacked set, which the next worker restores after the visibility timeout, and the outbox
    reclaims their rows long before (a task that then arrives finds its claim stale and does nothing).

    The same holds for a task that finishes (or is cut short by its time limit) after that: its
    acknowledgement goes to the closed channel, which has neither a connection nor a pool any more
    (``AttributeError: 'NoneType' object has no attribute 'client'``), and the worker exited with
    "Unrecoverable error" (seen in the same test). The message is left, unacknowledged, to the visibility
    timeout as above.
    """
    try:
        from kombu.transport import redis as kombu_redis
        from kombu.transport.virtual import base as kombu_virtual
    except ImportError:  # pragma: no cover - no redis client installed
        return
    qos = kombu_redis.QoS
    if getattr(qos.restore_unacked, "_launchcontrol_tolerant", False):
        return

    def tolerant(original: Any, message: str, forget: Any) -> Any:
        """``original``, except that the closed channel's AttributeError is logged with ``message`` and this
        channel's own bookkeeping is done by ``forget`` (Redis is not touched)."""

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            except AttributeError as exc:
                log.warning("celery: %s (%s)", message, exc)
                forget(self, *args)
                return None

        method._launchcontrol_tolerant = True  # type: ignore[attr-defined]
        return method

    gone = "after its broker connection was lost; its message is left for the visibility timeout"
    qos.restore_unacked = tolerant(  # type: ignore[method-assign]
        qos.restore_unacked,
        "unacknowledged messages left for the visibility timeout",
        lambda self, *args: self._delivered.clear(),
    )
    qos.ack = tolerant(qos.ack, f"a task ended {gone}", kombu_virtual.QoS.ack)  # type: ignore[method-assign]
    qos.reject = tolerant(  # type: ignore[method-assign]
        qos.reject, f"a task was rejected {gone}", lambda self, tag, *args: kombu_virtual.QoS.ack(self, tag)
    )


tolerate_a_collected_connection()
