"""Each subscriber gets each update exactly once, across two beats and a Celery worker killed mid-delivery:
real PostgreSQL, real Redis, real worker processes (tests/communications/test_worker_kill.py's helpers), a
local SMTP sink and a webhook sink that count what they receive.

As for every outbox delivery, what is guaranteed is that each (subscriber, update) has one delivery row,
recorded sent once, and that a copy in flight at the kill may reach the far side a second time only with the
same Message-ID (email) or Idempotency-Key (webhook), so a receiver that deduplicates by it, as mail systems
do by Message-ID, sees it once; the sinks here do that."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from communications.models import Delivery, DeliveryStatus, StatusPost
from statuspage import services, tokens
from statuspage.models import Component, Subscriber
from statuspage.services import subscribers
from tests import factories
from tests.communications import test_worker_kill as wk
from tests.communications.sink import Sink
from tests.statuspage.smtp_sink import SmtpSink

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from pytest_django import Settings

EMAILS, HOOKS = 6, 6
UPDATES = 4  # an incident opened, its update, a component change, a status post of the launch window


def _subscribe(plan: object, email: str, url: str = "") -> None:
    subscribers.subscriber_request(plan, email=email, url=url)  # type: ignore[arg-type]
    sub = Subscriber.objects.get(email=email, url=url)
    assert subscribers.subscriber_confirm(plan, tokens.confirm_token(sub.code, sub.nonce))  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_each_update_once_per_subscriber_across_two_beats_and_a_killed_worker(
    require_postgres: BaseDatabaseWrapper,
    redis_url: str,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.OUTBOX_SEND_INLINE = False
    for name, value in wk.FAST.items():
        setattr(settings, name, value == "true" or float(value))
    settings.STATUS_SUBSCRIBE_PER_ADDRESS = 1000
    from launchcontrol.celery import app

    app.control.purge()
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, t0=timezone.now() + timedelta(minutes=10))
    plan.created_at = timezone.now() - timedelta(hours=1)
    plan.save(update_fields=["created_at"])
    web = Component.objects.create(plan=plan, name="Web app")
    log = tmp_path / "worker.log"
    workers = []
    with Sink(delay=0.25) as hooks, SmtpSink(delay=0.25) as smtp:
        for n in range(EMAILS):
            _subscribe(plan, f"reader{n}@example.com")
        for n in range(HOOKS):
            _subscribe(plan, f"ops{n}@example.com", f"{hooks.url}/ok/{n}")
        incident = services.incident_create(plan, by=coordinator, name="Slow API", body="Looking.")
        services.incident_update_post(incident, by=coordinator, body="Found it.", status="identified")
        services.component_set_status(web, by=coordinator, status="partial_outage")
        StatusPost.objects.create(plan=plan, title="Window confirmed", body="All set.", published_at=timezone.now())
        for key, value in {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "2",
            "SITE_URL": "https://status.example.com",
        }.items():
            monkeypatch.setenv(key, value)  # the workers' environment (wk._start_worker copies os.environ)
        try:
            workers.append(wk._start_worker(redis_url, log))
            results = wk._two_beats()
            total = (EMAILS + HOOKS) * UPDATES
            assert sum(r["created"] for r in results) == total  # two beats, one row per subscriber and update
            wk._wait_for(lambda: len(hooks.calls) + len(smtp.messages) >= 6, "the first sends")
            wk._kill(workers[0])  # SIGKILL, mid-batch
            in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
            assert 0 < in_flight < total, log.read_text()
            workers.append(wk._start_worker(redis_url, log))

            def settled() -> bool:
                time.sleep(0.5)
                wk._two_beats()
                return not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()

            wk._wait_for(settled, "every delivery to be sent after the restart", limit=150)
        finally:
            for proc in workers:
                wk._kill(proc)

    rows = list(Delivery.objects.filter(plan=plan))
    assert len(rows) == (EMAILS + HOOKS) * UPDATES
    pairs = Counter((r.recipient, r.source_kind, r.source_id) for r in rows)
    assert set(pairs.values()) == {1} and len({r.recipient for r in rows}) == EMAILS + HOOKS
    assert all(r.status == DeliveryStatus.SENT for r in rows)
    by_key = {str(r.idempotency_key): r for r in rows}
    received = Counter(hooks.keys()) + Counter(
        {m.split("@")[0].lstrip("<"): n for m, n in smtp.ids().items()}
    )  # Message-ID is <key@host>
    assert set(received) == set(by_key)  # every subscriber got every update: none missing, none extra
    for key, n in received.items():
        assert n == 1 or (n == 2 and by_key[key].unknown_attempts == 1), (key, n)  # a repeat: same id, known
    assert sum(received.values()) - len(by_key) <= 4
    assert all(m["list_unsubscribe_post"] == "List-Unsubscribe=One-Click" for m in smtp.messages)
    assert all(m["list_unsubscribe"].startswith("<https://status.example.com/status/") for m in smtp.messages)
    assert {c["json"]["page"]["id"] for c in hooks.calls} == {plan.slug}
