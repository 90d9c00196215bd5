"""Issue 8, finding 10: an outbox that no receiver can stall and whose records tell the truth.

One regression test per sub-finding: a whole-call deadline against a receiver that trickles bytes, task
time limits shorter than the claim timeout, the tick on its own queue, no send after expiry (via reclaim
too), database errors retried, unknown outcomes recorded and retried once with the same key, globally
unique keys, held-up deliveries still sent while useful and shown late; and webhook targets restricted
to public http(s) addresses (finding 9). The fault run on real services is test_outbox_fault_run.py.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse

from communications import channels, outbox, tasks
from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message
from plans.models import Plan
from tests import factories
from tests.beats import tick_at
from tests.communications.sink import Sink

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import Settings


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def webhook_message(
    coordinator: User, url: str, *, every: timedelta | None = None, count: int | None = None
) -> Message:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator)
    hook = Channel.objects.create(plan=plan, name="#launch", kind=ChannelKind.WEBHOOK, target=url)
    message = Message.objects.create(
        plan=plan, name="Update", offset=timedelta(0), every=every, count=count, audience=Audience.STAFF, body="Hi."
    )
    message.channels.set([hook])
    return message


# --- A total deadline on every outgoing call, and task time limits ---------------------------------------


def test_a_receiver_that_trickles_a_byte_a_second_holds_a_send_no_longer_than_the_deadline(
    coordinator: User, settings: Settings
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    with Sink(trickle=1.0) as sink:
        webhook_message(coordinator, f"{sink.url}/trickle")
        started = time.monotonic()
        tick_at(T0)
        took = time.monotonic() - started
        row = Delivery.objects.get()
        assert took < 4, f"the send took {took:.1f} s against a 2 s deadline"  # per-read timeouts: ~40 s
        # It was received (the sink read the request): the outcome is unknown, not "failed" or "not sent".
        assert sink.keys("/trickle") == {str(row.idempotency_key): 1}
    assert row.status == DeliveryStatus.UNKNOWN and row.retry_same_key
    assert "2 s deadline after the request went out" in row.error


def test_send_task_time_limits_are_shorter_than_the_claim_timeout_and_the_deadline_fits_inside() -> None:
    send = tasks.send_delivery
    assert send.soft_time_limit and send.time_limit
    assert channels.webhook_deadline() < send.soft_time_limit < send.time_limit
    assert send.time_limit < outbox.started_claim_timeout().total_seconds()
    assert tasks.outbox_tick.time_limit  # a stuck tick cannot hold the tick worker forever


def test_claim_timeout_never_undercuts_the_hard_time_limit(settings: Settings) -> None:
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 5
    settings.OUTBOX_SEND_TIME_LIMIT_SECONDS = 40
    assert outbox.started_claim_timeout() == timedelta(seconds=45)


def test_a_send_stopped_by_its_soft_time_limit_is_recorded_as_unknown(coordinator: User) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with mock.patch.object(channels, "send", side_effect=SoftTimeLimitExceeded()):
        tick_at(T0)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.UNKNOWN and row.retry_same_key and row.unknown_attempts == 1
    assert "time limit" in row.error


def test_the_tick_has_its_own_queue_and_worker_and_beat_ticks_expire(settings: Settings) -> None:
    from launchcontrol.celery import app

    route = app.amqp.router.route({}, "communications.tasks.outbox_tick")
    assert route["queue"].name == "outbox"
    assert app.amqp.router.route({}, "communications.tasks.send_delivery")["queue"].name == "celery"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["options"]["queue"] == "outbox" and entry["options"]["expires"] <= entry["schedule"]
    procfile = (settings.BASE_DIR / "Procfile.dev").read_text()
    assert "-Q outbox" in procfile and "-Q celery" in procfile
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    assert '"-Q", "outbox"' in compose and '"-Q", "celery"' in compose


def test_the_worker_survives_a_broker_outage(settings: Settings) -> None:
    from launchcontrol.celery import app

    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert app.conf.broker_connection_max_retries is None  # never gives up on Redis
    assert app.conf.broker_connection_retry is True
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("socket_timeout") or not settings.REDIS_URL


def test_a_lost_redis_connection_with_unacked_tasks_does_not_hang_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    """kombu 5.7 raised AttributeError restoring unacked messages on a collected connection."""
    from kombu.transport import redis as kombu_redis

    import launchcontrol.celery  # noqa: F401 - installs the workaround

    qos = kombu_redis.QoS.__new__(kombu_redis.QoS)
    qos._delivered = {"tag": object()}  # type: ignore[assignment]  # kombu's private state, set up by hand
    qos.channel = mock.Mock()
    qos.channel.conn_or_acquire.side_effect = AttributeError("'NoneType' object has no attribute 'hostname'")
    assert qos.restore_unacked() is None
    assert qos._delivered == {} and "visibility timeout" in caplog.text


@pytest.mark.redis
def test_a_task_acknowledged_after_its_connection_was_lost_leaves_the_worker_running(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A send cut short by its time limit after Redis went away was acknowledged on the channel Celery had
    closed (no connection, no pool): kombu raised AttributeError and the worker exited ("Unrecoverable
    error", seen in test_outbox_fault_run). The acknowledgement is dropped and the worker goes on; the
    message is not lost (it stays in Redis, for the visibility timeout to restore)."""
    from kombu import Connection, Exchange, Queue

    import launchcontrol.celery  # noqa: F401 - installs the workaround

    name = f"lc-ack-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name), routing_key=name)
    with Connection(redis_url) as conn:
        with conn.Producer() as producer:
            for n in range(2):
                producer.publish({"n": n}, exchange=queue.exchange, routing_key=name, declare=[queue])
        channel = conn.channel()
        first, second = queue(channel).get(no_ack=False), queue(channel).get(no_ack=False)
        assert first is not None and second is not None
        unacked = channel.qos.unacked_key
        client = conn.channel().client
        assert client.hlen(unacked) >= 2
        # What Celery does on a lost connection: collect it, then close the channel (its pools go with it).
        conn.collect()
        channel._disconnect_pools()
        first.ack()
        second.reject(requeue=False)
        assert "left for the visibility timeout" in caplog.text
        assert first.delivery_tag not in channel.qos._delivered and second.delivery_tag not in channel.qos._delivered
    with Connection(redis_url) as conn:
        client = conn.channel().client
        tags = (first.delivery_tag, second.delivery_tag)
        kept = client.llen(name) + sum(client.hexists(unacked, tag) for tag in tags)
        client.hdel(unacked, *tags)
        client.zrem(f"{unacked}_index", *tags)
        client.delete(name)
    assert kept == 2  # both still in Redis: back in the queue, or unacked for the visibility timeout


# --- No send after its expiry, on any path ---------------------------------------------------------------


def test_an_expired_row_reclaimed_from_a_lost_claim_is_not_sent(coordinator: User, settings: Settings) -> None:
    """Old order: expire, then reclaim, then claim: the reclaimed row went out after its expiry."""
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0)
    item = factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)  # reminder T-25m, expires T-5m
    now = T0 - 25 * M
    with time_machine.travel(now, tick=False):
        outbox.materialise(now=now)
        ids, _token = outbox.claim(now=now)  # its task is lost
    row = Delivery.objects.get(source_kind="item.due", source_id=item.pk)
    assert ids == [row.pk]
    Delivery.objects.filter(pk=row.pk).update(expires_at=now + 30 * S)  # it stops mattering half a minute on
    tick_at(now + M)  # reclaimed (never started) and already expired: late, not sent
    row.refresh_from_db()
    assert row.status == DeliveryStatus.LATE and row.sent_at is None
    assert mail.outbox == []


def test_a_send_that_starts_after_the_expiry_does_not_go_out(coordinator: User) -> None:
    message = webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    Delivery.objects.filter(pk=ids[0]).update(expires_at=T0 + 10 * S)
    with time_machine.travel(T0 + 20 * S, tick=False), mock.patch.object(channels, "send") as send:
        assert outbox.send_claimed(ids[0], token) == "late"  # the task ran late (a backed-up queue)
    send.assert_not_called()
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.LATE and "stopped mattering" in row.note and row.plan == message.plan


# --- Database and broker errors retried ------------------------------------------------------------------


def test_a_database_error_before_the_send_is_retried_by_the_task(coordinator: User, settings: Settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    real = outbox.still_relevant
    blips = iter([OperationalError("server closed the connection unexpectedly")])

    def flaky(delivery: Delivery) -> str | None:
        for exc in blips:
            raise exc
        return real(delivery)

    with mock.patch.object(outbox.sending, "still_relevant", flaky), mock.patch.object(channels, "send") as send:
        result = tasks.send_delivery.apply(args=(ids[0], token))
    assert result.get() == "sent"  # autoretry_for=(ConnectionError,) never fired on OperationalError
    assert send.call_count == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_psycopg_and_broker_errors_are_transient() -> None:
    import psycopg
    from kombu.exceptions import OperationalError as BrokerError

    for exc in (OperationalError, psycopg.OperationalError, psycopg.InterfaceError, BrokerError):
        assert issubclass(exc, tasks.TRANSIENT_ERRORS)
        assert set(tasks.TRANSIENT_ERRORS) <= set(tasks.send_delivery.autoretry_for)


def test_a_database_blip_while_recording_a_sent_delivery_does_not_send_it_again(
    coordinator: User, settings: Settings
) -> None:
    settings.OUTBOX_RECORD_RETRY_DELAYS = (0, 0)
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    real_cas = outbox._cas
    calls = {"n": 0}

    def cas(delivery_id: int, tok: str, **fields: object) -> bool:
        if fields.get("status") == DeliveryStatus.SENT and calls["n"] == 0:
            calls["n"] += 1
            raise OperationalError("terminating connection due to administrator command")
        return real_cas(delivery_id, tok, **fields)

    with mock.patch.object(channels, "send") as send, mock.patch.object(outbox.sending, "_cas", cas):
        with pytest.raises(OperationalError):
            outbox.send_claimed(ids[0], token)
        # The task's retry finds the call began under this claim: unknown, never a blind second send.
        assert outbox.send_claimed(ids[0], token) == "unknown"
    assert send.call_count == 1
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.UNKNOWN and row.retry_same_key


def test_recording_retries_a_database_blip_in_process(coordinator: User, settings: Settings) -> None:
    settings.OUTBOX_RECORD_RETRY_DELAYS = (0, 0)
    blips = iter([OperationalError("the database system is starting up")])

    def write() -> int:
        for exc in blips:
            raise exc
        return 1

    assert outbox._persist(write) == 1


def test_a_stopped_broker_gives_the_claims_back_at_once(coordinator: User, caplog: pytest.LogCaptureFixture) -> None:
    webhook_message(coordinator, "http://127.0.0.1:9/ok")

    def down(pk: int, token: str) -> None:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
        assert outbox.dispatch_all(ids, token, dispatch=down) == 0
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.PENDING and row.claim_token == ""  # the next tick claims it again
    assert "claims given back" in caplog.text and "Traceback" not in caplog.text


# --- Unknown outcomes: recorded, retried once with the same key, never "not sent" ----------------------


def test_a_hanging_receiver_is_unknown_then_retried_once_with_the_same_key_and_no_more(
    coordinator: User, client: Client, settings: Settings
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with Sink(hang=5) as sink:
        message = webhook_message(coordinator, f"{sink.url}/hang")
        tick_at(T0)
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.UNKNOWN and row.retry_same_key and row.unknown_attempts == 1
        assert "Retrying once with the same key" in row.note
        for t in (T0 + 40 * S, T0 + 2 * M, T0 + 5 * M, T0 + 10 * M):
            tick_at(t)
        row.refresh_from_db()
        keys = sink.keys("/hang")
    assert keys == {str(row.idempotency_key): 2}  # at most one extra copy, same key
    assert row.status == DeliveryStatus.UNKNOWN and not row.retry_same_key and row.unknown_attempts == 2
    client.force_login(coordinator)
    with time_machine.travel(T0 + 11 * M, tick=False):
        html = client.get(reverse("communications:page", args=[message.plan.slug])).content.decode()
    assert "Outcome unknown" in html and "Late (not sent)" not in html


def test_fail_then_hang_sends_at_most_one_extra_copy_and_is_never_shown_not_sent(
    coordinator: User, settings: Settings
) -> None:
    """Old: an endpoint that answered 500 and then hung got many copies and was shown 'Late (not sent)'."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with Sink(hang=5) as sink:
        webhook_message(coordinator, f"{sink.url}/failhang")
        t = T0
        for _ in range(12):
            tick_at(t)
            t += 2 * M
        row = Delivery.objects.get()
        keys = sink.keys("/failhang")
    # 1 definite failure (500), then the hang (unknown), then its one retry (unknown): 3 requests, 1 key.
    assert keys == {str(row.idempotency_key): 3}
    assert row.status == DeliveryStatus.UNKNOWN and row.status != DeliveryStatus.LATE


def test_an_unknown_outcome_that_succeeds_on_the_retry_is_sent_with_the_same_key(
    coordinator: User, settings: Settings
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with Sink(hang=5) as sink:
        webhook_message(coordinator, f"{sink.url}/hang")
        tick_at(T0)
        row = Delivery.objects.get()
        Delivery.objects.filter(pk=row.pk).update(address=f"{sink.url}/ok")  # the receiver recovered
        tick_at(T0 + M)
        row.refresh_from_db()
        assert sink.keys("/hang") == {str(row.idempotency_key): 1}
        assert sink.keys("/ok") == {str(row.idempotency_key): 1}
    assert row.status == DeliveryStatus.SENT and "may have it twice" in row.note


def test_a_worker_lost_mid_call_is_recorded_unknown_by_the_redelivered_task_and_the_reclaim(coordinator: User) -> None:
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    # The first run began its call and was killed (SIGKILL): attempt_started_at is set, nothing recorded.
    Delivery.objects.filter(pk=ids[0]).update(attempt_started_at=T0)
    with time_machine.travel(T0 + 2 * S, tick=False), mock.patch.object(channels, "send") as send:
        assert outbox.send_claimed(ids[0], token) == "unknown"  # acks_late redelivery: no blind resend
    send.assert_not_called()
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.UNKNOWN and row.retry_same_key


def test_a_started_send_left_in_sending_is_reclaimed_as_unknown_not_pending(
    coordinator: User, settings: Settings
) -> None:
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 60
    settings.OUTBOX_SEND_TIME_LIMIT_SECONDS = 40
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, _ = outbox.claim(now=T0)
    Delivery.objects.filter(pk=ids[0]).update(attempt_started_at=T0)  # the whole worker died mid-call
    with mock.patch.object(channels, "send") as send:
        tick_at(T0 + 30 * S)
        assert Delivery.objects.get().status == DeliveryStatus.SENDING  # may still be running: hands off
        result = tick_at(T0 + 70 * S)
        assert result["unknown"] == 1
        row = Delivery.objects.get()
        assert row.status == DeliveryStatus.UNKNOWN and "lost mid-call" in row.note
        tick_at(row.next_attempt_at + S)  # its one retry, same key
    assert send.call_count == 1 and send.call_args.args[0].idempotency_key == row.idempotency_key
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


def test_while_the_send_queue_is_backed_up_unstarted_claims_are_not_piled_on_again(
    coordinator: User, settings: Settings
) -> None:
    """Re-queuing a claim whose task still waits in a long queue would add a task per row per reclaim,
    faster than a busy worker drains them (a livelock seen under load): wait for the queue to drain."""
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 60
    settings.OUTBOX_SEND_TIME_LIMIT_SECONDS = 40
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    with mock.patch.object(outbox.claims, "send_queue_waiting", return_value=50):
        tick_at(T0 + M)
        assert Delivery.objects.get().claim_token == token  # its task is probably still in the queue
        tick_at(T0 + 181 * S)  # three claim timeouts: handed out regardless
    assert Delivery.objects.get().claim_token != token


def test_with_the_send_queue_empty_an_unstarted_claim_is_handed_out_again_at_once(coordinator: User) -> None:
    webhook_message(coordinator, "http://127.0.0.1:9/ok")
    with time_machine.travel(T0, tick=False):
        outbox.materialise(now=T0)
        ids, token = outbox.claim(now=T0)
    with mock.patch.object(outbox.claims, "send_queue_waiting", return_value=0):
        tick_at(T0 + M)  # its task is neither queued nor running: lost with the broker
    row = Delivery.objects.get()
    assert row.claim_token != token and row.attempts == 1


# --- Globally unique idempotency keys and Message-IDs ----------------------------------------------------


def test_idempotency_keys_and_message_ids_are_uuids_not_row_ids(coordinator: User) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0)
    for n in range(3):
        factories.ItemFactory(checklist__plan=plan, due_offset=-(10 + n) * M)
    tick_at(T0 - 20 * M)
    rows = list(Delivery.objects.filter(status=DeliveryStatus.SENT))
    assert len(rows) == 3 and len({r.idempotency_key for r in rows}) == 3
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {f"<{r.idempotency_key}@testserver>" for r in rows}
    assert not any(f"delivery-{r.pk}" in i for r in rows for i in ids)


def test_the_migration_gives_every_existing_row_its_own_key(transactional_db: None) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    # Only the communications app goes back, to just before the migration under test (no other app's
    # migration depends on a later one of it): the plan is written with today's model.
    before = [("communications", "0004_calendar_feeds")]
    executor.migrate(before)
    OldDelivery = executor.loader.project_state(before).apps.get_model("communications", "Delivery")
    plan = Plan.objects.create(name="Old", slug="old", t0=T0, timezone="UTC")
    for n in range(3):
        OldDelivery.objects.create(
            plan_id=plan.pk,
            source_kind="message",
            source_id=n,
            recipient="r",
            channel_kind="email",
            due_at=T0,
            next_attempt_at=T0,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    keys = list(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 3 and len(set(keys)) == 3 and None not in keys


# --- Held up by an outage: still sent while useful, shown as sent late ---------------------------------


def test_an_hourly_update_held_up_45_minutes_is_still_sent_and_shown_late(
    coordinator: User, client: Client, settings: Settings
) -> None:
    """Old deadline: 30 minutes (marked 'Late (not sent)'). Now: until the next one is due."""
    with Sink() as sink:
        message = webhook_message(coordinator, f"{sink.url}/ok", every=H, count=3)
        tick_at(T0 + 45 * M)  # the beat (or Redis, or the database) was down from T-1m to T+45m
        row = Delivery.objects.get()
        assert sink.keys() == {str(row.idempotency_key): 1}
    assert row.status == DeliveryStatus.SENT and row.sent_late and "45 min after it came due" in row.note
    client.force_login(coordinator)
    with time_machine.travel(T0 + 46 * M, tick=False):
        html = client.get(reverse("communications:page", args=[message.plan.slug])).content.decode()
    assert "sent late" in html


def test_an_hourly_update_is_late_once_the_next_one_is_due(coordinator: User) -> None:
    message = webhook_message(coordinator, "http://127.0.0.1:9/ok", every=H, count=3)
    tick_at(T0 + 61 * M)
    first = Delivery.objects.get(due_at=T0, source_id=message.pk)
    assert first.status == DeliveryStatus.LATE


def test_a_reminder_held_up_past_its_due_moment_is_sent_while_the_item_is_open(coordinator: User) -> None:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0)
    item = factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)  # reminder at T-25m, due T-10m
    tick_at(T0 - 8 * M)  # an outage from T-26m to T-8m: past the item's due moment, before the overdue one
    row = Delivery.objects.get(source_kind="item.due", source_id=item.pk)
    assert row.status == DeliveryStatus.SENT and row.sent_late and len(mail.outbox) == 1


# --- Webhook targets: http(s) to public addresses, the status line only (finding 9) ---------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_a_webhook_channel_aimed_at_an_internal_address_or_odd_scheme_is_refused_on_save(
    url: str, plan: Plan, settings: Settings
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    channel = Channel(plan=plan, name="hook", kind=ChannelKind.WEBHOOK, target=url)
    with pytest.raises(ValidationError) as err:
        channel.full_clean()
    assert "target" in err.value.message_dict


def test_a_public_webhook_target_and_a_private_one_when_allowed_are_accepted(plan: Plan, settings: Settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    Channel(plan=plan, name="a", kind=ChannelKind.WEBHOOK, target="https://93.184.216.34/hook").full_clean()
    settings.WEBHOOK_ALLOW_PRIVATE = True
    Channel(plan=plan, name="b", kind=ChannelKind.WEBHOOK, target="http://10.1.2.3/hook").full_clean()
    with pytest.raises(ValidationError):  # never another scheme
        Channel(plan=plan, name="c", kind=ChannelKind.WEBHOOK, target="ftp://10.1.2.3/").full_clean()


def test_the_admin_refuses_an_internal_webhook_target(admin_client: Client, plan: Plan, settings: Settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = admin_client.post(
        reverse("admin:communications_channel_add"),
        {
            "plan": plan.pk,
            "name": "meta",
            "kind": ChannelKind.WEBHOOK,
            "target": "http://169.254.169.254/",
            "enabled": "on",
        },
    )
    assert response.status_code == 200 and "link-local address" in response.content.decode()
    assert not Channel.objects.filter(name="meta").exists()


def test_a_send_to_a_private_address_is_refused_at_send_time_and_nothing_is_posted(
    coordinator: User, settings: Settings
) -> None:
    """A target saved before the rule (or a DNS name that now resolves inside) is checked again at send."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with Sink() as sink:
        webhook_message(coordinator, f"{sink.url}/ok")  # objects.create: no form, no clean()
        tick_at(T0)
        assert sink.calls == []
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1
    assert "loopback address" in row.error and "WEBHOOK_ALLOW_PRIVATE" in row.error


def test_the_error_shown_is_the_status_line_never_the_body(coordinator: User) -> None:
    with Sink() as sink:
        webhook_message(coordinator, f"{sink.url}/fail")
        tick_at(T0)
    row = Delivery.objects.get()
    assert row.error == "webhook answered HTTP 500 Internal Server Error"


def test_a_connection_refused_is_a_certain_failure_retried_with_backoff(coordinator: User) -> None:
    webhook_message(coordinator, "http://127.0.0.1:9/ok")  # discard port: nothing listens
    tick_at(T0)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.PENDING and row.unknown_attempts == 0 and "could not reach" in row.error


# --- The war room with Redis down: one line, not a traceback ---------------------------------------------


def test_a_board_render_with_redis_down_logs_one_line_without_a_traceback(
    plan: Plan, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from warroom import views

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="warroom"):
        views.board_entry(plan.pk, plan.revision, 0)
    records = [r for r in caplog.records if r.name.startswith("warroom")]
    assert len(records) == 1 and records[0].exc_info is None
    assert "cache unreachable" in records[0].getMessage()
