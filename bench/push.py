#!/usr/bin/env python
"""Push-channel benchmark (``make bench``, after bench/warroom.py): the bench plan served as docker-compose
does (the streams by uvicorn, 2 workers; the pages and fragments by gunicorn, 2 workers x 8 threads), with
N screens (N = 100 and 1,000) that each keep the board's stream open, in two modes:

- push: the stream as the board page opens it (``?board=<screen token>``): the board arrives in the event;
- fetch: the small event, then a fetch of the fragment with If-None-Match (role pages and kiosks do this,
  and the board did before): the fan-in of N fetches at once.

Prints, per mode and N:

  1. propagation: from the commit of a tick (a service write) until each screen holds the new revision;
  2. (push) a time-dependent change: an item due a few seconds ahead, from its due moment until each screen
     holds the board with the new bucket (nothing is written at that moment: the hub's ``tick``);
  3. memory per open stream: the uvicorn workers' resident memory with N streams open, less before, over N;
  4. the database connections open while the streams are (pg_stat_activity), and the load average.

The screens are raw asyncio HTTP/1.1 (one connection per stream, one keep-alive connection per screen for
its fetches), PER_PROC per client process, so the client stays a small share of the two cores.
Environment as bench/warroom.py (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
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


# --- The screens: raw asyncio HTTP/1.1, one connection per stream (as a browser tab), in client processes ------


ETAG = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def _etag_of(text: str) -> tuple[int, str] | None:
    """(revision, bucket) from an ETag '"plan.revision.bucket"', or from the pushed event's "etag" field
    (found by position: no JSON parse of the 14 KB board per screen, the client must stay cheap)."""
    at = text.find('"etag":')
    found = ETAG.search(text, max(at, 0))
    return (int(found[2]), found[3]) if found else None


async def _fetch(conn: list[Any], port: int, path: str, etag: str) -> tuple[int, str]:
    """GET the fragment on this screen's keep-alive connection to the pages' server: (status, ETag)."""
    if not conn:
        conn += list(await asyncio.open_connection("127.0.0.1", port))
    reader, writer = conn
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n"
    writer.write((head + (f"If-None-Match: {etag}\r\n" if etag else "") + "\r\n").encode())
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if int(headers.get("content-length", "0")):
        await reader.readexactly(int(headers["content-length"]))
    return int(lines[0].split()[1]), headers.get("etag", "")


async def _screen(i: int, ports: tuple[int, int], paths: tuple[str, str], cookie: str, rec: dict[str, Any]) -> None:
    """One screen: its stream open; on every event, the board from the event itself, or fetched."""
    reader, writer = await asyncio.open_connection("127.0.0.1", ports[1])
    conn: list[Any] = []
    etag = ""
    try:
        accept = "Accept: text/event-stream"
        writer.write(f"GET {paths[1]} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n{accept}\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        if " 200 " not in head.split("\r\n")[0] or "chunked" not in head.lower():
            rec["errors"] += 1
            return
        buffer = ""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return  # the server ended the stream
            buffer += (await reader.readexactly(size + 2))[:-2].decode()
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                kind = block[7 : block.find("\n")] if block.startswith("event: ") else ""
                if kind == "hello":
                    rec["opened"].release()
                elif kind in ("rev", "tick"):
                    now = time.time()
                    if '"parts":{"board"' in block:
                        found = _etag_of(block)
                        rec["pushed"] += 1
                    else:
                        status, tag = await _fetch(conn, ports[0], paths[0], etag)
                        now = time.time()
                        rec["fetched"] += 1
                        found = _etag_of(tag) if status == 200 else None
                        etag = tag if status == 200 else etag
                        rec["errors"] += status not in (200, 304)
                    if found:
                        rec["seen"].append((i, found[0], found[1], now))
    except (OSError, ValueError, asyncio.IncompleteReadError):
        rec["errors"] += 1
    finally:
        writer.close()
        if conn:
            conn[1].close()


def _screens(
    ports: tuple[int, int], paths: tuple[str, str], cookie: str, ids: range, out: Any, opened: Any, done: Any
) -> None:
    """One client process: its screens, until the bench says done; sends back what each saw."""
    rec: dict[str, Any] = {"seen": [], "errors": 0, "pushed": 0, "fetched": 0, "opened": opened}

    async def run() -> None:
        tasks = []
        for i in ids:  # in waves of 50, as screens come and go (and as the browser's own back-off spreads them)
            tasks.append(asyncio.create_task(_screen(i, ports, paths, cookie, rec)))
            if len(tasks) % 50 == 0:
                await asyncio.sleep(0.05)
        while not done.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())
    del rec["opened"]
    out.put(rec)


def _connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    connection.close()
    return int(row[0]) if row else -1


def run_screens(ctx: Any, n: int, setup: dict[str, Any], server_pid: int, scenario: Any) -> dict[str, Any]:
    """Open ``n`` streams (PER_PROC a client process), run the scenario, and measure each screen's delay
    from each mark (a commit, a due moment) to the first board it held that is at least as new."""
    from django.db import connection

    connection.close()
    procs_n = max(1, -(-n // PER_PROC))
    out, opened, done = ctx.Queue(), ctx.Semaphore(0), ctx.Event()
    idle = rss_kib(server_pid)
    load = [os.getloadavg()[0]]
    procs = [
        ctx.Process(
            target=_screens,
            args=(setup["ports"], setup["paths"], setup["cookie"], range(k, n, procs_n), out, opened, done),
        )
        for k in range(procs_n)
    ]
    for proc in procs:
        proc.start()
    started = time.time()
    opened_n = sum(1 for _ in range(n) if opened.acquire(timeout=max(1.0, 120 - (time.time() - started))))
    open_seconds = time.time() - started
    time.sleep(1.0)
    loaded = rss_kib(server_pid)
    conns = _connections()
    marks = scenario["run"]()  # {revision or bucket: wall time}
    load.append(os.getloadavg()[0])
    done.set()
    results = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
    seen: dict[int, list[tuple[int, str, float]]] = {}
    for rec in results:
        for screen_id, revision, bucket, at in rec["seen"]:
            seen.setdefault(screen_id, []).append((revision, bucket, at))
    delays, missed = [], 0
    for key, at in marks.items():
        for screen_id in range(n):
            later = [t for r, b, t in seen.get(screen_id, []) if scenario["matches"](key, r, b) and t >= at - 5]
            if later:
                delays.append(max(0.0, min(later) - at))
            else:
                missed += 1
    return {
        "p50": statistics.median(delays) if delays else -1,
        "p95": pct(delays, 95) if delays else -1,
        "max": max(delays) if delays else -1,
        "samples": len(delays),
        "missed": missed,
        "errors": sum(r["errors"] for r in results),
        "pushed": sum(r["pushed"] for r in results),
        "fetched": sum(r["fetched"] for r in results),
        "opened": opened_n,
        "open_seconds": open_seconds,
        "kib_per_stream": (loaded - idle) / max(1, opened_n),
        "connections": conns,
        "load": load,
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
            item_tick(items.pop(), by=plan.coordinator)  # committed (and published) when it returns
            at = time.time()
            marks[Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)] = at
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
    fragment = reverse("warroom:fragment", args=[plan.slug]) + "?s=" + token
    stream = reverse("live:stream", args=[plan.slug])
    pages = start_pages(env, ports[0])
    server = start_server(env, ports[1])
    ctx = multiprocessing.get_context("fork")
    rows = []
    try:
        for port in ports:
            _wait_healthy(port)
        screens = [int(n) for n in os.environ.get("BENCH_PUSH_SCREENS", "100,1000").split(",")]
        rows += memory_runs(ctx, max(screens), stream + "?board=" + token, fragment, cookie, ports, server.pid)
        modes = os.environ.get("BENCH_PUSH_MODES", "push,fetch").split(",")
        for mode in modes:
            # push: the board's stream (as the board page opens it) carries the board; fetch: the small event
            # and a fetch of the fragment (as role pages and kiosks do, and the board did before).
            path = stream + ("?board=" + token if mode == "push" else "")
            setup = {"ports": tuple(ports), "paths": (fragment, path), "cookie": cookie}
            for n in screens:
                scenarios = (
                    (("tick", tick_scenario), ("late", late_scenario)) if mode == "push" else (("tick", tick_scenario),)
                )
                for name, make in scenarios:
                    r = run_screens(ctx, n, setup, server.pid, make(plan))
                    rows.append((mode, name, n, r))
                    print(f"  {mode} {name} {n}: {r}", flush=True)
    finally:
        for proc in (server, pages):
            proc.terminate()
            proc.wait(timeout=20)
    report(rows)


def memory_runs(
    ctx: Any, n: int, stream: str, fragment: str, cookie: str, ports: list[int], pid: int
) -> list[tuple[str, str, int, dict[str, Any]]]:
    """Memory per open stream, nothing changing: a few streams opened and closed first (the hub's start,
    the first requests' imports), then ``n`` board streams on the server as it is then, RSS delta over n."""
    setup = {"ports": tuple(ports), "paths": (fragment, stream), "cookie": cookie}

    def nothing() -> dict[int, float]:
        time.sleep(2.0)
        return {}

    quiet = {"run": nothing, "matches": lambda key, r, b: False}
    run_screens(ctx, 20, setup, pid, quiet)
    r = run_screens(ctx, n, setup, pid, quiet)
    print(f"  memory {n}: {r}", flush=True)
    return [("push", "memory", n, r)]


def _wait_healthy(port: int) -> None:
    import urllib.request

    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)


def report(rows: list[tuple[str, str, int, dict[str, Any]]]) -> None:
    print()
    print(
        "Push benchmark · streams: uvicorn 2 workers, fragments: gunicorn 2 x 8 threads · "
        f"{os.cpu_count()} CPUs · client: raw asyncio HTTP/1.1, {PER_PROC} screens per process"
    )
    for mode, name, n, r in rows:
        if name == "memory":
            print(
                f"memory per open stream, nothing changing: {r['kib_per_stream']:.0f} KiB ({n} board streams, "
                f"{r['opened']} opened in {r['open_seconds']:.1f} s; uvicorn workers' RSS delta / streams); "
                f"{r['connections']} DB connections while open; load {r['load'][0]:.1f}"
            )
            continue
        what = {"tick": "commit → board held", "late": "item due → late board held"}[name]
        how = "pushed in the event" if mode == "push" else "small event + fetch"
        print(
            f"{how:<20} {what:<27} {n:>5} streams: p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, "
            f"max {r['max']:.2f} s ({r['samples']} samples, {r['missed']} missed, {r['errors']} errors, "
            f"{r['pushed']} pushed, {r['fetched']} fetched); {r['opened']} opened in {r['open_seconds']:.1f} s; "
            f"{r['connections']} DB connections while open; load {r['load'][0]:.1f} → {r['load'][1]:.1f}"
        )


if __name__ == "__main__":
    main()
