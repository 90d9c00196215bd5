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
from typing import Any

import benchenv
from benchenv import ensure_database
from loadgen import pct
from pushclient import screens

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
            target=screens,
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
    seen: dict[int, list[tuple[int, str, float, float]]] = {}
    for rec in results:
        for screen_id, revision, bucket, at, sent in rec["seen"]:
            seen.setdefault(screen_id, []).append((revision, bucket, at, sent))
    delays, reads, writes, missed = [], [], [], 0
    for key, at in marks.items():
        for screen_id in range(n):
            later = [(t, s) for r, b, t, s in seen.get(screen_id, []) if scenario["matches"](key, r, b) and t >= at - 5]
            if later:
                first, sent = min(later)
                delays.append(max(0.0, first - at))
                if sent:  # pushed: split into the hub's read of the board and the fan-out to this screen
                    reads.append(sent - at)
                    writes.append(first - sent)
            else:
                missed += 1
    return {
        "p50": statistics.median(delays) if delays else -1,
        "p95": pct(delays, 95) if delays else -1,
        "read_p50": statistics.median(reads) if reads else -1,
        "fanout_p50": statistics.median(writes) if writes else -1,
        "fanout_p95": pct(writes, 95) if writes else -1,
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


def _split(r: dict[str, Any]) -> str:
    if r["read_p50"] < 0:
        return ""
    return (
        f"of which mark → board read and encoded by the hub p50 {r['read_p50']:.2f} s, "
        f"then → screen p50 {r['fanout_p50']:.2f} s, p95 {r['fanout_p95']:.2f} s; "
    )


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
            + _split(r)
            + f"{r['connections']} DB connections while open; load {r['load'][0]:.1f} → {r['load'][1]:.1f}"
        )


if __name__ == "__main__":
    main()
