#!/usr/bin/env python
"""Push-channel benchmark (``make bench``, after bench/warroom.py): the bench plan served as docker-compose
does (the streams by uvicorn, 2 workers; the pages and fragments by gunicorn, 2 workers x 8 threads), with
N screens that each keep the board's stream open and fetch the board's
fragment when told (as static/js/live.js does), N = 100 and 1,000. Prints

  1. propagation: from a tick (a service write) until each screen has fetched the new revision, p50/p95;
  2. a time-dependent change: an item due in a few seconds, from its due moment until each screen has
     fetched the board with the new bucket (no write at that moment: the hub's ``tick``), p50/p95;
  3. memory per open stream: the uvicorn workers' resident memory with N streams open, less idle, over N;
  4. the database connections open while the streams are (pg_stat_activity).

Environment as bench/warroom.py (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from queue import Queue
from typing import Any

import benchenv
from benchenv import ensure_database
from loadgen import pct

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SIZES = {"items": 2000, "roles": 60, "steps": 300, "issues": 200}
TICKS = 5
TICK_GAP = 3.0
PER_PROC = 250


def start_pages(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The pages and fragments: gunicorn, as bench/warroom.py and docker-compose's ``web``."""
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "launchcontrol.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=8",
            "--keep-alive=30",
            "--log-level=warning",
            "--backlog=4096",
        ],
        cwd=ROOT,
        env=env,
    )


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The streams: uvicorn, as docker-compose's ``live`` (the proxy routes /live/ to it)."""
    return subprocess.Popen(
        [
            str(VENV_BIN / "uvicorn"),
            "launchcontrol.asgi:application",
            "--host=127.0.0.1",
            f"--port={port}",
            "--workers=2",
            "--no-access-log",
            "--log-level=warning",
            "--backlog=4096",
        ],
        cwd=ROOT,
        env=env,
    )


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (the uvicorn workers), KiB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _screens(
    bases: tuple[str, str],
    stream: str,
    fragment: str,
    cookie: str,
    count: int,
    stop: float,
    out: Queue[Any],
    opened: Any,
) -> None:
    """One client process: ``count`` screens, each with its stream open, fetching the fragment on every
    event; sends back (screen, revision, bucket, wall time) of every changed fetch."""
    import httpx

    seen: list[tuple[int, int, str, float]] = []
    errors = [0]

    async def screen(i: int, client: httpx.AsyncClient, streams: httpx.AsyncClient) -> None:
        etag = ""
        try:
            async with streams.stream("GET", stream, headers={"Cookie": cookie}) as response:
                first = True
                async for line in response.aiter_lines():
                    if not line.startswith("event: "):
                        continue
                    if first:
                        opened.release()
                        first = False
                    if line in ("event: rev", "event: tick", "event: hello"):
                        r = await client.get(fragment, headers={"If-None-Match": etag} if etag else {})
                        if r.status_code == 200:
                            etag = r.headers.get("etag", "")
                            _, rev, bucket = etag.strip('"').split(".")
                            seen.append((i, int(rev), bucket, time.time()))
                        elif r.status_code != 304:
                            errors[0] += 1
                    if time.time() > stop:
                        break
        except (httpx.HTTPError, OSError):
            errors[0] += 1

    async def run() -> None:
        limits = httpx.Limits(max_connections=2 * count + 10, max_keepalive_connections=2 * count + 10)
        async with (
            httpx.AsyncClient(base_url=bases[0], limits=limits, timeout=httpx.Timeout(60.0)) as client,
            httpx.AsyncClient(base_url=bases[1], limits=limits, timeout=httpx.Timeout(60.0)) as streams,
        ):
            tasks = [asyncio.create_task(screen(i, client, streams)) for i in range(count)]
            await asyncio.sleep(max(0.0, stop - time.time()))
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())
    out.put((seen, errors[0]))


def _connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    connection.close()
    return int(row[0]) if row else -1


def run_screens(ctx: Any, n: int, urls: tuple[Any, str, str, str], server_pid: int, scenario: Any) -> dict[str, Any]:
    from django.db import connection

    connection.close()
    procs_n = max(1, n // PER_PROC)
    share = n // procs_n
    out, opened = ctx.Queue(), ctx.Semaphore(0)
    idle = rss_kib(server_pid)
    bases, stream, fragment, cookie = urls
    window = scenario["seconds"] + 40
    stop = time.time() + window
    procs = [
        ctx.Process(target=_screens, args=(bases, stream, fragment, cookie, share, stop, out, opened))
        for _ in range(procs_n)
    ]
    for proc in procs:
        proc.start()
    for _ in range(share * procs_n):
        if not opened.acquire(timeout=60):
            break
    time.sleep(1.0)
    loaded = rss_kib(server_pid)
    conns = _connections()
    marks = scenario["run"]()  # {revision or bucket-key: wall time}
    results = [out.get(timeout=stop - time.time() + 60) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    seen: dict[int, list[tuple[int, str, float]]] = {}
    errors = 0
    for rows, errs in results:
        errors += errs
        for screen_id, revision, bucket, at in rows:
            seen.setdefault(screen_id, []).append((revision, bucket, at))
    delays, missed = [], 0
    for key, at in marks.items():
        for screen_id in range(share * procs_n):
            later = [t for r, b, t in seen.get(screen_id, []) if scenario["matches"](key, r, b) and t >= at - 5]
            if later:
                delays.append(min(later) - at)
            else:
                missed += 1
    return {
        "p50": statistics.median(delays) if delays else -1,
        "p95": pct(delays, 95) if delays else -1,
        "max": max(delays) if delays else -1,
        "samples": len(delays),
        "missed": missed,
        "errors": errors,
        "kib_per_stream": (loaded - idle) / max(1, share * procs_n),
        "connections": conns,
    }


def session_cookie_and_token(plan: Any) -> tuple[str, str]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from plans.screens import screen_token

    user = plan.coordinator
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = screen_token(plan, user=user, session_key=session.session_key)
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", token


def tick_scenario(plan: Any) -> dict[str, Any]:
    from django.db import connection

    from checklists.models import Item, ItemStatus
    from checklists.services import item_tick
    from plans.models import Plan

    items = list(Item.objects.filter(plan=plan, status=ItemStatus.OPEN).values_list("pk", flat=True)[: TICKS * 4])

    def run() -> dict[int, float]:
        marks = {}
        for _ in range(TICKS):
            time.sleep(TICK_GAP)
            item_tick(items.pop(), by=plan.coordinator)
            marks[Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)] = time.time()
            connection.close()
        time.sleep(TICK_GAP)
        return marks

    return {"seconds": TICKS * TICK_GAP + TICK_GAP, "run": run, "matches": lambda key, r, b: r >= key}


def late_scenario(plan: Any) -> dict[str, Any]:
    """An open item falls due a few seconds from now: nothing is written at that moment; the screens are
    told by the hub's ``tick`` and fetch the board with its new bucket."""
    from django.db import connection, transaction
    from django.utils import timezone

    from checklists.models import Item, ItemStatus
    from plans.models import Plan
    from plans.services import event_record

    def run() -> dict[int, float]:
        fresh = Plan.objects.get(pk=plan.pk)
        due = timezone.now().replace(microsecond=0) + timedelta(seconds=8)
        item = Item.objects.filter(plan=plan, status=ItemStatus.OPEN).order_by("-pk").first()
        assert item is not None
        with transaction.atomic():  # the bench sets the scene directly, as bench/warroom.py does
            Item.objects.filter(pk=item.pk).update(due_offset=due - fresh.t0)
            event_record(fresh, kind="bench.due", summary="an item falls due in 8 s")
        connection.close()
        time.sleep(8 + 4)
        return {int(due.timestamp() * 1000): due.timestamp()}

    return {"seconds": 14, "run": run, "matches": lambda key, r, b: int(b) >= key}


def main() -> None:
    env = benchenv.configure(
        database="launchcontrol_bench",
        prefix="lc-bench-push",
        allowed_hosts="127.0.0.1,localhost",
        log_level="WARNING",
        DB_CONN_MAX_AGE="60",
    )
    ensure_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    from django.urls import reverse

    from launch.services.sample import build_sample_plan

    sizes = {k: int(os.environ.get(f"BENCH_{k.upper()}", v)) for k, v in SIZES.items()}
    print(f"Building the bench plan: {sizes} …", flush=True)
    plan = build_sample_plan("benchpush", **sizes)
    cookie, token = session_cookie_and_token(plan)
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    bases = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
    fragment = reverse("warroom:fragment", args=[plan.slug]) + "?s=" + token
    urls = (bases, reverse("live:stream", args=[plan.slug]), fragment, cookie)
    pages = start_pages(env, ports[0])
    server = start_server(env, ports[1])
    ctx = multiprocessing.get_context("fork")
    rows = []
    try:
        import httpx

        for base in bases:
            for _ in range(100):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
        screens = [int(n) for n in os.environ.get("BENCH_PUSH_SCREENS", "100,1000").split(",")]
        for n in screens:
            for name, make in (("tick", tick_scenario), ("late", late_scenario)):
                r = run_screens(ctx, n, urls, server.pid, make(plan))
                rows.append((name, n, r))
                print(f"  {name} {n}: {r}", flush=True)
    finally:
        for proc in (server, pages):
            proc.terminate()
            proc.wait(timeout=20)
    print()
    print(
        "Push benchmark · streams: uvicorn 2 workers, fragments: gunicorn 2 x 8 threads · "
        f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f}"
    )
    for name, n, r in rows:
        what = "tick → fetched" if name == "tick" else "item due → fetched late"
        print(
            f"push {what:<24} {n:>5} streams: p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, max {r['max']:.2f} s "
            f"({r['samples']} samples, {r['missed']} missed, {r['errors']} errors); "
            f"{r['kib_per_stream']:.0f} KiB per open stream; {r['connections']} database connections"
        )


if __name__ == "__main__":
    main()
