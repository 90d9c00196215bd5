"""The fan-out: a revision is published after its transaction commits (never a rolled-back one), one Redis
subscription serves every stream of a process, the hub wakes the streams of the plan that changed (and
only with a newer revision), and it wakes them at the board's next time-dependent change."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import pytest
import redis
from django.db import transaction
from django.urls import reverse

from live import channel
from live import hub as live_hub
from live import listening as live_listening
from plans.models import Plan
from plans.services import event_record
from tests import factories
from tests.live.conftest import session_cookie

if TYPE_CHECKING:
    from pytest_django import Settings

    from tests.asgi_server import AsgiServer


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(channel, "publish", lambda plan_id, revision: seen.append((plan_id, revision)))
    return seen


@pytest.mark.django_db(transaction=True)
def test_published_after_the_commit_never_inside_it(published: list[tuple[int, int]]) -> None:
    plan = factories.PlanFactory()
    with transaction.atomic():
        event_record(plan, kind="test.one", summary="one")
        event_record(plan, kind="test.two", summary="two")
        assert published == []  # nobody may fetch a revision they cannot read yet
    revision = Plan.objects.get(pk=plan.pk).revision
    assert published[-1] == (plan.pk, revision)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_revision_is_never_published(published: list[tuple[int, int]]) -> None:
    plan = factories.PlanFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(plan, kind="test.one", summary="one")
        raise RuntimeError("the write failed")
    assert published == []


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_never_fails_the_write(settings: Settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    plan = factories.PlanFactory()
    with transaction.atomic():
        event_record(plan, kind="test.one", summary="one")
    assert Plan.objects.get(pk=plan.pk).revision == plan.revision


@pytest.mark.django_db(transaction=True)
@pytest.mark.redis
def test_the_publish_goes_to_the_plans_channel_in_redis(redis_url: str) -> None:
    plan = factories.PlanFactory()
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    pubsub.subscribe(f"{channel.channel_prefix()}{plan.pk}")
    pubsub.get_message(timeout=2)  # the subscribe confirmation
    with transaction.atomic():
        event_record(plan, kind="test.one", summary="one")
    message = pubsub.get_message(timeout=5)
    assert message is not None and message["type"] == "message"
    assert b'"revision": %d' % Plan.objects.get(pk=plan.pk).revision in message["data"]
    pubsub.close()


def test_the_hub_wakes_the_plans_streams_with_newer_revisions_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_hub, "upcoming", lambda plan_id: [])
    monkeypatch.setattr(live_listening, "redis_url", lambda: "")
    monkeypatch.setattr(live_listening, "read_revisions", lambda ids: [])

    async def scenario() -> None:
        hub = live_hub.hub()
        a, b, other = hub.add(1, 5), hub.add(1, 5), hub.add(2, 7)
        hub.notify(1, 4)  # older than what the streams know: nothing
        assert not a.wake.is_set()
        hub.notify(1, 6)
        assert a.wake.is_set() and b.wake.is_set() and not other.wake.is_set()
        assert (a.revision, b.revision, other.revision) == (6, 6, 7)
        late = hub.add(1, 5)  # opened with an older read than the hub's: told the newer one
        assert late.revision == 6
        for watch in (a, b, other, late):
            hub.remove(watch)
        assert hub.open_streams() == 0 and hub.watches == {}
        await hub.stop()

    asyncio.run(scenario())


def test_the_hub_ticks_the_streams_at_the_next_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The board's next time-dependent change (an item becoming late) wakes the plan's streams at its
    moment: the hub asks for the moments, and the timer fires the tick."""
    asked: list[int] = []

    def upcoming(plan_id: int) -> list[int]:
        asked.append(plan_id)
        return [int(time.time() * 1000) + 50] if len(asked) == 1 else []

    monkeypatch.setattr(live_hub, "upcoming", upcoming)
    monkeypatch.setattr(live_listening, "redis_url", lambda: "")
    monkeypatch.setattr(live_listening, "read_revisions", lambda ids: [])

    async def scenario() -> None:
        hub = live_hub.hub()
        watch = hub.add(3, 1)
        await asyncio.wait_for(watch.wake.wait(), timeout=10)
        assert watch.ticks == 1 and watch.revision == 1
        for _ in range(500):
            if len(asked) > 1:
                break
            await asyncio.sleep(0.01)
        assert asked[:2] == [3, 3]  # asked again after the tick, for the one after it
        hub.remove(watch)
        await hub.stop()

    asyncio.run(scenario())


def test_without_redis_the_hub_polls_the_revisions_of_the_plans_it_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[list[int]] = []

    def read_revisions(ids: list[int]) -> list[tuple[int, int, None]]:
        reads.append(sorted(ids))
        return [(9, 2, None)]

    monkeypatch.setattr(live_hub, "upcoming", lambda plan_id: [])
    monkeypatch.setattr(live_listening, "redis_url", lambda: "")
    monkeypatch.setattr(live_listening, "read_revisions", read_revisions)
    monkeypatch.setattr(live_listening, "poll_seconds", lambda: 0.01)

    async def scenario() -> None:
        hub = live_hub.hub()
        watches = [hub.add(9, 1) for _ in range(50)]
        await asyncio.wait_for(watches[0].wake.wait(), timeout=10)
        assert all(w.revision == 2 for w in watches)
        assert reads[0] == [9]  # one query for every stream of the plan (and every plan)
        await hub.stop()

    asyncio.run(scenario())


def test_without_redis_a_new_status_post_seen_by_the_poll_ticks_the_plans_streams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A status post moves no revision; published by the outbox in the Celery worker with no Redis to carry its
    nudge, the web process's hub sees it in its poll (the plan's newest post moved) and ticks the streams."""
    posted = ["09:00"]
    monkeypatch.setattr(live_hub, "upcoming", lambda plan_id: [])
    monkeypatch.setattr(live_listening, "redis_url", lambda: "")
    monkeypatch.setattr(live_listening, "read_revisions", lambda ids: [(9, 1, posted[0])])
    monkeypatch.setattr(live_listening, "poll_seconds", lambda: 0.01)

    async def scenario() -> None:
        hub = live_hub.hub()
        watch = hub.add(9, 1)
        while hub.polls < 3:  # the first polls only learn the newest post: nothing to tell
            await asyncio.sleep(0.01)
        assert watch.ticks == 0 and not watch.wake.is_set()
        posted[0] = "09:05"  # the worker published one
        await asyncio.wait_for(watch.wake.wait(), timeout=10)
        assert watch.ticks == 1 and watch.revision == 1
        hub.remove(watch)
        assert 9 not in hub.posted
        await hub.stop()

    asyncio.run(scenario())


@pytest.mark.redis
def test_one_redis_subscription_per_process_whatever_the_streams(asgi_server: AsgiServer, redis_url: str) -> None:
    plan = factories.PlanFactory()
    cookies = session_cookie(factories.UserFactory())
    url = asgi_server.url + reverse("live:stream", args=[plan.slug])

    async def open_streams(n: int) -> None:
        async with httpx.AsyncClient(timeout=20, cookies=cookies) as client:
            responses: list[tuple[httpx.Response, AsyncIterator[str]]] = []
            for _ in range(n):
                request = client.build_request("GET", url)
                response = await client.send(request, stream=True)
                lines = response.aiter_lines()  # kept: a collected line reader closes its stream
                while not (await anext(lines)).startswith("event: hello"):
                    pass
                responses.append((response, lines))
            names = [c.get("name") for c in redis.Redis.from_url(redis_url).client_list(_type="pubsub")]
            assert names.count(f"lc-live-{os.getpid()}") == 1
            for response, _ in responses:
                await response.aclose()

    asyncio.run(open_streams(20))
    hub = asgi_server.hub()
    assert hub is not None and hub.subscriptions == 1
