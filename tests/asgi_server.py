"""A real ASGI server (uvicorn) for the tests, in a thread of the test process, on a free port: the push
channel's streams need one (pytest-django's ``live_server`` is WSGI, where a stream cannot live).

It serves the test database (use it with ``transactional_db``) and the static files, and it runs in this
process, so a test reaches its hub (``server.hub()``) and shares its settings.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from launchcontrol.asgi import application
from live import hub as live_hub

T = TypeVar("T")


@dataclass
class AsgiServer:
    url: str
    loop: asyncio.AbstractEventLoop
    server: uvicorn.Server
    thread: threading.Thread = field(repr=False)

    def hub(self) -> live_hub.Hub | None:
        for found in live_hub.hubs():
            if found.loop is self.loop:
                return found
        return None

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's event loop and return its result."""
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except Exception as exc:  # handed to the caller
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(timeout=10)

    def close_streams(self) -> None:
        found = self.hub()
        if found is not None:
            self.call(found.close_all)

    def stop_hub(self) -> None:
        found = self.hub()
        if found is not None:
            asyncio.run_coroutine_threadsafe(found.stop(), self.loop).result(timeout=10)


@contextmanager
def running_asgi_server() -> Iterator[AsgiServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),  # type: ignore[no-untyped-call]
        log_level="warning",
        lifespan="off",
        loop="asyncio",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=1,
        limit_concurrency=None,
        backlog=4096,
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test ASGI server did not start")
        time.sleep(0.02)
    found = AsgiServer(url=f"http://127.0.0.1:{port}", loop=loop, server=server, thread=thread)
    try:
        yield found
    finally:
        found.stop_hub()
        server.should_exit = True
        thread.join(timeout=15)
        loop.close()
        sock.close()


def read_events(lines: Iterator[str], wanted: str, *, limit: int = 50) -> dict[str, Any]:
    """Read server-sent events from ``lines`` until one named ``wanted``; its data."""
    event = ""
    for _ in range(limit * 4):
        line = next(lines)
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: ") and event == wanted:
            data: dict[str, Any] = json.loads(line[len("data: ") :])
            return data
    raise AssertionError(f"no {wanted!r} event in the stream")
