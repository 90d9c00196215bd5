"""How the hub learns of new revisions (a part of ``live.hub.Hub``): ONE Redis pattern subscription per
process, or, without Redis (``make run``) or while Redis is unreachable, one query a second for the
revisions of every plan that has an open stream (``LIVE_POLL_SECONDS``).

``ready`` is set once the hub listens (subscribed, or polling because there is no Redis or it could not be
reached): a stream says ``hello`` only then, so a change committed after a page's ``hello`` always reaches
it, even a ``tick`` (which the revision poll cannot see). After a lost subscription comes back, every
watched plan gets a ``tick``: the nudges published while it was down are made up for by one fetch. While
polling, the poll also reads each plan's newest status post (the one change a page shows with no new
revision) and ticks the plan's streams when it moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections

from .channel import channel_prefix, redis_url

log = logging.getLogger(__name__)

#: How long a new stream waits for its hub to listen before it says ``hello`` anyway.
READY_WAIT_SECONDS = 3.0


def poll_seconds() -> float:
    return float(getattr(settings, "LIVE_POLL_SECONDS", 1))


def close_idle_connections() -> None:
    """Close this thread's database connections, except one inside a transaction (``atomic``): closing that
    would end the transaction under its owner (a test's, whose rows would then be committed for good)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def closing_connections(fn: Any, *args: Any) -> Any:
    """Run ``fn`` in this worker thread and close the thread's database connection after it."""
    try:
        return fn(*args)
    finally:
        close_idle_connections()


def read_revisions(plan_ids: list[int]) -> list[tuple[int, int, Any]]:
    """Each plan's revision and the moment of its newest status post (which moves no revision: a poll sees
    it here, so an open status page hears of a post the outbox published in another process without Redis)."""
    from django.db.models import Max

    from plans.models import Plan

    plans = Plan.objects.filter(pk__in=plan_ids).order_by().annotate(posted=Max("status_posts__published_at"))
    return list(plans.values_list("pk", "revision", "posted"))


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "[]*?\\" else c for c in text)


class RevisionListener:
    """The listening half of the hub; the hub supplies the streams (``watches``) and what to wake."""

    loop: asyncio.AbstractEventLoop
    watches: dict[int, Any]
    _stopping: bool
    notify: Callable[[int, int], None]  # a new revision of the plan: wake its streams (the hub's)
    tick: Callable[[int], None]  # a change with no new revision: wake the plan's streams (the hub's)

    def _listening_init(self) -> None:
        self.ready = asyncio.Event()  # the hub listens: streams may say hello
        self.subscribed = False  # the Redis subscription is up (else the revision poll runs)
        self.subscriptions = 0  # subscriptions opened by this process (one, plus one per reconnect)
        self.polls = 0  # revision polls made (the fallback)
        self.posted: dict[int, Any] = {}  # each polled plan's newest status post: a new one is a tick

    async def wait_ready(self) -> None:
        """Until the hub listens (at most ``READY_WAIT_SECONDS``: a slow Redis never holds a page)."""
        if not self.ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), timeout=READY_WAIT_SECONDS)

    async def _run(self) -> None:
        backoff = 1.0
        while not self._stopping:
            url = redis_url()
            if not url:
                self.ready.set()
                await self._poll_for(3600)
                continue
            try:
                await self._listen(url)
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live: Redis subscription lost (%s: %s); polling revisions", type(exc).__name__, exc)
            self.subscribed = False
            self.ready.set()  # polling: the streams go on without waiting for Redis
            await self._poll_for(backoff)
            backoff = min(backoff * 2, 30.0)

    async def _listen(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_connect_timeout=2, client_name=f"lc-live-{os.getpid()}")
        pubsub = client.pubsub()
        try:
            prefix = channel_prefix()
            await pubsub.psubscribe(_glob_escape(prefix) + "*")
            self.subscribed = True
            self.subscriptions += 1
            self.ready.set()
            await self._poll_once()  # what changed while we were not subscribed
            if self.subscriptions > 1:  # and the nudges (no revision) published meanwhile: one fetch each
                for plan_id in list(self.watches):
                    self.tick(plan_id)
            while not self._stopping:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None or message.get("type") != "pmessage":
                    continue
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    data = json.loads(message["data"])
                    if data.get("tick"):  # live.channel.nudge: no new revision, fetch anyway
                        self.tick(int(data["plan"]))
                    else:
                        self.notify(int(data["plan"]), int(data["revision"]))
        finally:
            self.subscribed = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pubsub.aclose(), timeout=2)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.aclose(), timeout=2)

    async def _poll_once(self) -> None:
        if not self.watches:
            return
        self.polls += 1
        try:
            rows = await asyncio.to_thread(closing_connections, read_revisions, list(self.watches))
        except Exception as exc:
            log.warning("live: could not read revisions (%s: %s)", type(exc).__name__, exc)
            return
        for plan_id, revision, posted in rows:
            self.notify(plan_id, revision)
            if plan_id in self.posted and self.posted[plan_id] != posted:
                self.tick(plan_id)  # a status post, published where no publish reached us (no Redis)
            self.posted[plan_id] = posted

    async def _poll_for(self, seconds: float) -> None:
        end = self.loop.time() + seconds
        while self.loop.time() < end and not self._stopping:
            await asyncio.sleep(poll_seconds())
            await self._poll_once()
