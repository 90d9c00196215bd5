"""Celery tasks: the beat's outbox tick and the per-delivery send. No long ETAs: due things are rows.

The tick runs on its own queue (``outbox``, its own worker: see Procfile.dev and docker-compose.yml), so a
slow send never delays materialising and claiming; the sends run on the default queue. A send has a soft
and a hard time limit shorter than the outbox's claim timeout, so a send is over (recorded, or killed and
later recorded as unknown) before its row can be handed out again.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import outbox

try:  # psycopg's own errors, should one escape Django's wrappers
    from psycopg import InterfaceError as PgInterfaceError
    from psycopg import OperationalError as PgOperationalError

    PSYCOPG_ERRORS: tuple[type[Exception], ...] = (PgOperationalError, PgInterfaceError)
except ImportError:  # pragma: no cover - SQLite-only installs
    PSYCOPG_ERRORS = ()

#: What is worth another try: the database or the broker went away for a moment.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    *PSYCOPG_ERRORS,
    BrokerError,
    ConnectionError,
    TimeoutError,
)

SEND_SOFT_TIME_LIMIT = float(getattr(settings, "OUTBOX_SEND_SOFT_TIME_LIMIT_SECONDS", 30))
SEND_TIME_LIMIT = float(getattr(settings, "OUTBOX_SEND_TIME_LIMIT_SECONDS", 40))
TICK_TIME_LIMIT = float(getattr(settings, "OUTBOX_TICK_TIME_LIMIT_SECONDS", 120))


@shared_task(
    name="communications.tasks.outbox_tick",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=1,
    retry_backoff_max=5,
    retry_jitter=False,
    max_retries=2,
    soft_time_limit=TICK_TIME_LIMIT,
    time_limit=TICK_TIME_LIMIT + 15,
)
def outbox_tick() -> dict[str, int]:
    return outbox.tick()


@shared_task(
    name="communications.tasks.send_delivery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=1,
    retry_backoff_max=10,
    retry_jitter=False,
    max_retries=5,
    soft_time_limit=SEND_SOFT_TIME_LIMIT,
    time_limit=SEND_TIME_LIMIT,
)
def send_delivery(delivery_id: int, token: str) -> str:
    """Send one claimed delivery. Channel failures are retried by the outbox (pending again after an
    exponential backoff, at most OUTBOX_MAX_ATTEMPTS tries); a database or broker blip retries this task
    with the same claim (a call that had begun is then recorded as unknown, never made blindly again); a
    lost worker's claim is reclaimed."""
    return outbox.send_claimed(delivery_id, token)
