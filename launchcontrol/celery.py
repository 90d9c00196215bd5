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
    restore_original, ack_original, reject_original = qos.restore_unacked, qos.ack, qos.reject

    def restore_unacked(self: Any, client: Any = None) -> Any:
        try:
            return restore_original(self, client)
        except AttributeError as exc:
            log.warning("celery: unacknowledged messages left for the visibility timeout (%s)", exc)
            self._delivered.clear()
            return None

    def ack(self: Any, delivery_tag: Any) -> None:
        try:
            ack_original(self, delivery_tag)
        except AttributeError as exc:
            log.warning(
                "celery: a task ended after its broker connection was lost; "
                "its message is left for the visibility timeout (%s)",
                exc,
            )
            kombu_virtual.QoS.ack(self, delivery_tag)  # forgets it here (this channel's own bookkeeping)

    def reject(self: Any, delivery_tag: Any, requeue: bool = False) -> None:
        try:
            reject_original(self, delivery_tag, requeue)
        except AttributeError as exc:
            log.warning(
                "celery: a task was rejected after its broker connection was lost; "
                "its message is left for the visibility timeout (%s)",
                exc,
            )
            kombu_virtual.QoS.ack(self, delivery_tag)

    restore_unacked._launchcontrol_tolerant = True  # type: ignore[attr-defined]
    qos.restore_unacked = restore_unacked  # type: ignore[method-assign]
    qos.ack = ack  # type: ignore[method-assign]
    qos.reject = reject  # type: ignore[method-assign]


tolerate_a_collected_connection()
