#!/usr/bin/env python
"""The PostgreSQL pool (``DB_POOL_SIZE``, launchcontrol/settings.py) measured (``make bench``): a role page of
the demo plan requested one request after another, each in a thread of its own (as ASGI runs a request's
sync code, and as a new gunicorn request gets a connection with ``DB_CONN_MAX_AGE`` 0), with the pool on and
off. Each setting runs in a process of its own (the settings are read at start), taking turns, ROUNDS times.

Prints, per request: wall time, this process's CPU, and PostgreSQL's CPU when the server runs on this machine
(all its processes, ended and running, read from /proc; "n/a" otherwise), as a Markdown table for
docs/performance.md.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/launchcontrol_bench_pool, created if
missing) and REDIS_URL (default redis://127.0.0.1:6379/15). ``--requests N`` (default 200), ``--rounds N``
(default 2).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import benchenv
from benchenv import ensure_database

PAGE = "/plans/demo-heypeter/roles/product-manager/"


def configure() -> None:
    benchenv.configure(
        database="launchcontrol_bench_pool",
        prefix="lc-bench-pool",
        allowed_hosts="testserver,127.0.0.1",
        log_level="ERROR",
    )


def _postmaster(backend_pid: int) -> int | None:
    """The server's main process, when it runs on this machine (the parent of this connection's process)."""
    try:
        stat = Path(f"/proc/{backend_pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _postgres_cpu(postmaster: int | None) -> float | None:
    """Seconds of CPU of the server's processes: those that ended (the postmaster's reaped children) and
    those running; None when the server is not on this machine."""
    if postmaster is None:
        return None
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        if entry.name == str(postmaster):
            ticks += int(rest[13]) + int(rest[14])  # its children that ended
        elif rest[1] == str(postmaster):
            ticks += int(rest[11]) + int(rest[12])  # a server process running
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(requests: int) -> dict[str, float | None]:
    """In this process: ``requests`` GETs of the page, each in a thread of its own, one after another."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())  # idempotent: the demo of the first run is kept
    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = _postmaster(int(cursor.fetchone()[0]))
    connections.close_all()
    failures: list[int] = []

    def one() -> None:
        try:
            status = client.get(PAGE).status_code
            if status != 200:
                failures.append(status)
        finally:
            connections.close_all()  # the thread's own, as a server closes it at the request's end

    for _ in range(5):  # warm: templates compiled, caches filled
        thread = threading.Thread(target=one)
        thread.start()
        thread.join()
    pg0, cpu0, wall0 = _postgres_cpu(postmaster), time.process_time(), time.perf_counter()
    for _ in range(requests):
        thread = threading.Thread(target=one)
        thread.start()
        thread.join()
    wall, cpu, pg1 = time.perf_counter() - wall0, time.process_time() - cpu0, _postgres_cpu(postmaster)
    if failures:
        raise SystemExit(f"{len(failures)} requests failed: {sorted(set(failures))}")
    return {
        "wall_ms": 1000 * wall / requests,
        "cpu_ms": 1000 * cpu / requests,
        "pg_ms": None if pg0 is None or pg1 is None else 1000 * (pg1 - pg0) / requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    ensure_database(os.environ["DATABASE_URL"])
    results: dict[str, list[dict[str, float | None]]] = {"on (10)": [], "off": []}
    for _ in range(args.rounds):
        for label, size in (("on (10)", "10"), ("off", "0")):
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--requests", str(args.requests)],
                env={**os.environ, "DB_POOL_SIZE": size},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[label].append(json.loads(out.strip().splitlines()[-1]))

    def med(rows: list[dict[str, float | None]], key: str) -> str:
        values = [v for r in rows if (v := r[key]) is not None]
        return f"{statistics.median(values):.1f}" if values else "n/a"

    print(f"{args.requests} requests of {PAGE} (demo plan), each in a thread of its own; median of {args.rounds}")
    print("| pool | wall ms/request | this process's CPU ms/request | PostgreSQL's CPU ms/request |")
    print("| --- | --- | --- | --- |")
    for label, rows in results.items():
        print(f"| {label} | {med(rows, 'wall_ms')} | {med(rows, 'cpu_ms')} | {med(rows, 'pg_ms')} |")


if __name__ == "__main__":
    main()
