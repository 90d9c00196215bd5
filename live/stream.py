"""The server-sent-events stream of one open page.

Events (each a line of JSON in ``data``):

- ``hello``: on (re)connect: the revision the server knows and how often to expect a ``ping``;
- ``rev``: the plan changed (its new revision): the page fetches its live parts;
- ``tick``: a time-dependent change is due now (an item became late…): the page fetches its live parts;
- on a board's stream (``live.push``), ``rev`` and ``tick`` carry the board itself in ``parts.board``
  (``etag``, ``gzip``: the HTML gzipped, base64): the page swaps it in and fetches only its other parts;
- ``ping``: nothing happened (every ``LIVE_HEARTBEAT_SECONDS``): keeps proxies from timing out, and a
  page that hears nothing for two of them knows the stream is buffered or dead and polls instead.

The stream ends after ``LIVE_STREAM_MAX_SECONDS`` (the page reconnects, and the credentials are checked
again) or when the hub closes it (a kiosk stream as soon as its link is revoked, ``Hub._check_kiosks``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse

from .hub import Hub, heartbeat_seconds
from .hub import hub as current_hub


def max_seconds() -> float:
    return float(getattr(settings, "LIVE_STREAM_MAX_SECONDS", 900))


def now_ms() -> int:
    return int(time.time() * 1000)


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _next_ms(hub: Hub, plan_id: int) -> int | None:
    at = hub.next_change.get(plan_id)
    return int(at * 1000) if at else None


async def events(plan_id: int, revision: int, board: str = "", kiosk: int = 0) -> AsyncIterator[bytes]:
    # The hub of the loop the response streams on (the server's): the view itself may have run on
    # another one (asgiref runs async views under sync middleware through async_to_sync).
    hub = current_hub()
    watch = hub.add(plan_id, revision, board, kiosk)
    await hub.wait_ready()  # listening: what commits after this hello reaches this page (live.listening)
    loop = asyncio.get_running_loop()
    beat = heartbeat_seconds()
    try:
        # retry: how soon the browser's EventSource reconnects by itself after a drop
        yield b"retry: 2000\n\n" + sse(
            "hello",
            {
                "revision": watch.revision,
                "now": now_ms(),
                "heartbeat": beat,
                "push": hub.subscribed or None,
                "parts": ["board"] if board else [],
            },
        )
        told_revision, told_ticks, told_seq = watch.revision, watch.ticks, -1
        end = loop.time() + max_seconds()
        while not watch.closed:
            left = end - loop.time()
            if left <= 0:
                break
            try:
                await asyncio.wait_for(watch.wake.wait(), timeout=min(beat, left))
            except TimeoutError:
                yield sse("ping", {"now": now_ms()})
                continue
            watch.wake.clear()
            if watch.closed:
                break
            pushed = hub.pushed.get(watch.plan_id) if watch.board else None
            if pushed is not None and pushed.seq != told_seq and hub.pushing_to(watch):
                told_seq, told_ticks = pushed.seq, watch.ticks
                if pushed.revision >= told_revision:  # never a board older than the one this page has
                    told_revision = pushed.revision
                    yield pushed.event  # the same bytes for every board of the plan
                continue
            if watch.revision != told_revision:
                told_revision = watch.revision
                yield sse("rev", {"revision": told_revision, "now": now_ms(), "next": _next_ms(hub, watch.plan_id)})
            if watch.ticks != told_ticks:
                told_ticks = watch.ticks
                yield sse("tick", {"revision": told_revision, "now": now_ms(), "next": _next_ms(hub, watch.plan_id)})
    finally:
        hub.remove(watch)


def stream_response(plan_id: int, revision: int, board: str = "", kiosk: int = 0) -> StreamingHttpResponse:
    stream = events(plan_id, revision, board, kiosk)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
