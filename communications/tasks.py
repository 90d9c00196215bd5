"""Celery tasks: the beat's outbox tick and the per-delivery send. No long ETAs: due things are rows."""

from __future__ import annotations

from celery import shared_task

from . import outbox


@shared_task(name="communications.tasks.outbox_tick", ignore_result=True)
def outbox_tick() -> dict[str, int]:
    return outbox.tick()


@shared_task(
    name="communications.tasks.send_delivery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=3,
)
def send_delivery(delivery_id: int, token: str) -> str:
    """Send one claimed delivery. Channel failures are retried by the outbox (pending again after an
    exponential backoff, at most OUTBOX_MAX_ATTEMPTS tries); a lost worker's claim is reclaimed."""
    return outbox.send_claimed(delivery_id, token)
