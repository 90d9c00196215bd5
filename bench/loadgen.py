"""Load generators for the war-room benchmark (bench/warroom.py): raw keep-alive HTTP/1.1 for throughput, and
simulated screens (httpx or raw) in forked client processes for propagation."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.queues import Queue

THROUGHPUT_SECONDS = 3.0
THROUGHPUT_CONNECTIONS = 32
POLL_SECONDS = 2.0
TICKS = 5
TICK_GAP = 4.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# --- Load generator for throughput: raw keep-alive HTTP/1.1, light enough not to be the bottleneck ------


async def _blast_one(
    port: int,
    path: str,
    etag: list[str],
    deadline: float,
    counts: dict[int, int],
    revalidate: bool = True,
    extra: str = "",
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n{extra}"
            if etag[0]:
                head += f"If-None-Match: {etag[0]}\r\n"
            writer.write((head + "\r\n").encode())
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            length = int(headers.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            if status == 200 and "etag" in headers and revalidate:
                etag[0] = headers["etag"]  # the minute bucket moved: poll with the new one, as a screen does
            counts[status] = counts.get(status, 0) + 1
    finally:
        writer.close()


class RawScreen:
    """One screen's keep-alive connection, speaking just enough HTTP/1.1 (a browser keeps one too)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, etag: str) -> tuple[int, str]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        if etag:
            head += f"If-None-Match: {etag}\r\n"
        self.writer.write((head + "\r\n").encode())
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        length = int(headers.get("content-length", "0"))
        if length:
            await self.reader.readexactly(length)
        return int(lines[0].split()[1]), headers.get("etag", "")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def throughput(
    port: int, path: str, etag: str = "", *, revalidate: bool = True, gzip: bool = False
) -> tuple[float, dict[int, int]]:
    """Requests a second over THROUGHPUT_CONNECTIONS keep-alive connections. With ``revalidate`` a 200's
    ETag is sent back (a poll); without, every request is a full GET (a newcomer, a CDN's miss). ``gzip``
    sends ``Accept-Encoding: gzip``, as browsers and CDNs do."""
    extra = "Accept-Encoding: gzip\r\n" if gzip else ""
    counts: dict[int, int] = {}
    shared = [etag]

    async def run() -> None:
        deadline = time.perf_counter() + THROUGHPUT_SECONDS
        blasts = [
            _blast_one(port, path, shared, deadline, counts, revalidate, extra) for _ in range(THROUGHPUT_CONNECTIONS)
        ]
        await asyncio.gather(*blasts)

    started = time.perf_counter()
    asyncio.run(run())
    return sum(counts.values()) / (time.perf_counter() - started), counts


# --- Simulated screens for propagation --------------------------------------------------------------------


def _screens(
    kind: str,
    base: str,
    path: str,
    first: int,
    count: int,
    start: float,
    stop: float,
    out: Queue[tuple[list[tuple[int, int, float]], int]],
) -> None:
    """One client process: ``count`` screens polling every 2 s from wall-clock ``start`` to ``stop``.
    Sends back when each screen first saw each revision (wall clock) and the error count."""
    import httpx

    seen: list[tuple[int, int, float]] = []
    errors = [0]
    port = int(base.rsplit(":", 1)[1])

    def rev_of(etag: str) -> int:
        return int(etag.strip('"').split(".")[1])

    async def screen(i: int, client: httpx.AsyncClient | None) -> None:
        await asyncio.sleep(max(0.0, start - time.time()) + random.uniform(0, POLL_SECONDS))
        etag, known = "", -1
        raw = RawScreen(port) if client is None else None
        while time.time() < stop:
            began = time.perf_counter()
            try:
                if raw is not None:
                    status, new_etag = await raw.get(path, etag)
                else:
                    assert client is not None
                    r = await client.get(path, headers={"If-None-Match": etag} if etag else {})
                    status, new_etag = r.status_code, r.headers.get("etag", "")
                if status == 200:
                    etag = new_etag
                    if rev_of(etag) > known:
                        known = rev_of(etag)
                        seen.append((i, known, time.time()))
                elif status != 304:
                    errors[0] += 1
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError):
                errors[0] += 1
                if raw is not None:
                    raw.close()
                    raw = RawScreen(port)
            await asyncio.sleep(max(0.0, POLL_SECONDS - (time.perf_counter() - began)))
        if raw is not None:
            raw.close()

    async def run() -> None:
        limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=count + 10)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10.0) as client:
            tasks = [screen(first + i, None if kind == "raw" else client) for i in range(count)]
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=stop - time.time() + 30)

    asyncio.run(run())
    out.put((seen, errors[0]))


def propagation(base: str, path: str, screens: int, tick: Callable[[], int], kind: str = "httpx") -> dict[str, float]:
    """N screens spread over client processes (about 250 each, so the client is not the bottleneck);
    ticks from this process at known wall-clock moments."""
    import multiprocessing

    from django.db import connection

    connection.close()  # no shared database socket across fork
    ctx = multiprocessing.get_context("fork")
    procs_n = max(1, screens // 250)
    start = time.time() + 1.0
    tick_times = [start + POLL_SECONDS * 2 + k * TICK_GAP for k in range(TICKS)]
    stop = tick_times[-1] + POLL_SECONDS + 1.5
    out = ctx.Queue()
    share = screens // procs_n
    procs = [
        ctx.Process(target=_screens, args=(kind, base, path, k * share, share, start, stop, out))
        for k in range(procs_n)
    ]
    for proc in procs:
        proc.start()
    ticks: dict[int, float] = {}
    for at in tick_times:
        time.sleep(max(0.0, at - time.time()))
        revision = tick()
        ticks[revision] = time.time()
    results = [out.get(timeout=stop - time.time() + 60) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    seen: dict[int, dict[int, float]] = {}
    errors = 0
    for rows, errs in results:
        errors += errs
        for screen_id, revision, at in rows:
            seen.setdefault(screen_id, {})[revision] = at
    delays, missed = [], 0
    for revision, at in ticks.items():
        for screen_id in range(share * procs_n):
            later = [t for r, t in seen.get(screen_id, {}).items() if r >= revision]
            if later:
                delays.append(min(later) - at)
            else:
                missed += 1
    return {
        "p50": statistics.median(delays),
        "p95": pct(delays, 95),
        "max": max(delays),
        "samples": len(delays),
        "missed": missed,
        "errors": errors,
        "procs": procs_n,
    }
