#!/usr/bin/env python
"""War-room benchmark (``make bench``): a big plan on PostgreSQL, served by gunicorn, measured in one run.

Prints
  1. the board's full render (selectors + template, cache bypassed) p50/p95 and its query count, plus
     the same through the server (a changed poll: cache miss, render, store);
  2. unchanged-poll throughput (If-None-Match -> 304) next to a minimal Django view (/healthz) on the
     same server, and the ratio;
  3. the p95 time from a tick until N simulated screens polling every 2 s see it, N = 100 and 1,000
     (asyncio + httpx, against 127.0.0.1 only, bounded in time).

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/launchcontrol_bench; the database
is created if missing) and REDIS_URL (default redis://127.0.0.1:6379/15). The plan ``bench`` is rebuilt on
every run: 2,000 items, 60 roles, 300 steps, 200 issues.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.queues import Queue

    from django.contrib.auth.models import User

    from plans.models import Plan

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SIZES = {"items": 2000, "roles": 60, "steps": 300, "issues": 200}
RENDER_RUNS = 40
THROUGHPUT_SECONDS = 3.0
THROUGHPUT_ROUNDS = 7
THROUGHPUT_CONNECTIONS = 32
POLL_SECONDS = 2.0
TICKS = 5
TICK_GAP = 4.0
REVISION_TTL = 0.5  # settings.WARROOM_REVISION_TTL default


def configure() -> dict[str, str]:
    env = os.environ
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/launchcontrol_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 30)
    env.update(
        DJANGO_SETTINGS_MODULE="launchcontrol.settings",
        DEBUG="False",
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX="lc-bench",
    )
    env.setdefault("LC_VAR_DIR", tempfile.mkdtemp(prefix="lc-bench-"))
    sys.path.insert(0, str(ROOT))
    return dict(env)


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Load generator for throughput: raw keep-alive HTTP/1.1, light enough not to be the bottleneck ------


async def _blast_one(port: int, path: str, etag: list[str], deadline: float, counts: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
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
            if status == 200 and "etag" in headers:
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


def throughput(port: int, path: str, etag: str = "") -> tuple[float, dict[int, int]]:
    counts: dict[int, int] = {}
    shared = [etag]

    async def run() -> None:
        deadline = time.perf_counter() + THROUGHPUT_SECONDS
        await asyncio.gather(*[_blast_one(port, path, shared, deadline, counts) for _ in range(THROUGHPUT_CONNECTIONS)])

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


def main() -> None:
    env = configure()
    ensure_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from checklists.models import Item, ItemStatus
    from checklists.services import item_tick
    from launch.services.sample import build_sample_plan
    from plans.models import Plan
    from plans.screens import screen_token
    from warroom import views

    print(f"Building the bench plan: {SIZES} on {connection.vendor} …", flush=True)
    plan = build_sample_plan("bench", **SIZES)
    coordinator = plan.coordinator
    assert coordinator is not None

    def signed_in_screen_token(plan: Plan, user: User) -> str:
        """A screen token as the board page would hand it out: on a real signed-in session."""
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return screen_token(plan, user=user, session_key=session.session_key)

    # 1. Full render, in process.
    views.render_board(plan)
    times, queries = [], set()
    for _ in range(RENDER_RUNS):
        fresh = Plan.objects.select_related("coordinator").get(pk=plan.pk)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            views.render_board(fresh)
            times.append((time.perf_counter() - started) * 1000)
        queries.add(len(ctx.captured_queries))
    connection.close()

    port = free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "launchcontrol.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=8",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        path = views.reverse("warroom:fragment", args=[plan.slug]) + "?s=" + signed_in_screen_token(plan, coordinator)

        # 1b. A changed poll through the server: cache miss, render, store.
        http_times = []
        with httpx.Client(base_url=base) as client:
            client.get(path)
            for _ in range(20):
                Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
                time.sleep(REVISION_TTL + 0.05)  # let the workers' revision micro-cache expire
                started = time.perf_counter()
                r = client.get(path)
                http_times.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200, r.status_code
            etag = client.get(path).headers["etag"]
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        connection.close()

        # 2. Throughput: alternate short rounds so both see the same background load.
        health_runs, poll_runs = [], []
        health_codes: dict[int, int] = {}
        poll_codes: dict[int, int] = {}
        for _ in range(THROUGHPUT_ROUNDS):
            rps, codes = throughput(port, "/healthz")
            health_runs.append(rps)
            health_codes = {k: health_codes.get(k, 0) + v for k, v in codes.items()}
            rps, codes = throughput(port, path, etag)
            poll_runs.append(rps)
            poll_codes = {k: poll_codes.get(k, 0) + v for k, v in codes.items()}
        health_rps, poll_rps = statistics.fmean(health_runs), statistics.fmean(poll_runs)

        # 3. Propagation.
        open_items = list(
            Item.objects.filter(plan=plan, status=ItemStatus.OPEN).values_list("pk", flat=True)[: TICKS * 8]
        )

        def tick() -> int:
            item_tick(open_items.pop(), by=coordinator)
            revision = Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)
            connection.close()
            return revision

        prop = {(kind, n): propagation(base, path, n, tick, kind) for kind in ("httpx", "raw") for n in (100, 1000)}
    finally:
        server.terminate()
        server.wait(timeout=20)

    print()
    print(f"War-room benchmark · {connection.vendor} · gunicorn 2 workers x 8 threads · {os.cpu_count()} CPUs")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"plan: {SIZES['items']} items, {SIZES['roles']} roles, {SIZES['steps']} steps, {SIZES['issues']} issues")
    print(
        f"full render (in process, {RENDER_RUNS} runs): p50 {statistics.median(times):.1f} ms, "
        f"p95 {pct(times, 95):.1f} ms, queries {sorted(queries)}"
    )
    print(
        f"changed poll over HTTP (render + cache store, 20 runs): p50 {statistics.median(http_times):.1f} ms, "
        f"p95 {pct(http_times, 95):.1f} ms"
    )
    rounds = f"mean of {THROUGHPUT_ROUNDS} alternating {THROUGHPUT_SECONDS:.0f}-s rounds"
    print(f"minimal view /healthz: {health_rps:,.0f} req/s ({rounds}; {health_codes})")
    print(f"unchanged poll (304): {poll_rps:,.0f} req/s ({rounds}; {poll_codes})")
    print(f"ratio unchanged poll / minimal view: {poll_rps / health_rps:.0%}")
    print("  per round (req/s): healthz " + ", ".join(f"{r:,.0f}" for r in health_runs))
    print("  per round (req/s): 304     " + ", ".join(f"{r:,.0f}" for r in poll_runs))
    for (kind, n), fig in prop.items():
        print(
            f"propagation, {n:>5} screens ({kind:>5} client, {fig['procs']} proc) every {POLL_SECONDS:.0f} s: "
            f"p50 {fig['p50']:.2f} s, "
            f"p95 {fig['p95']:.2f} s, max {fig['max']:.2f} s ({fig['samples']} samples, {fig['missed']} missed, "
            f"{fig['errors']} errors)"
        )


if __name__ == "__main__":
    main()
