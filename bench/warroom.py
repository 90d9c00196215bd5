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

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchenv
from benchenv import ensure_database
from loadgen import POLL_SECONDS, THROUGHPUT_SECONDS, TICKS, pct, propagation, throughput

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SIZES = {"items": 2000, "roles": 60, "steps": 300, "issues": 200}
RENDER_RUNS = 40
THROUGHPUT_ROUNDS = 7
REVISION_TTL = 0.5  # settings.WARROOM_REVISION_TTL default


def configure() -> dict[str, str]:
    return benchenv.configure(
        database="launchcontrol_bench",
        prefix="lc-bench",
        allowed_hosts="127.0.0.1,localhost",
        log_level="WARNING",
        DB_CONN_MAX_AGE="60",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_in_screen_token(plan: Any, user: Any) -> str:
    """A screen token as the board page would hand it out: on a real signed-in session."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from plans.screens import screen_token

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return screen_token(plan, user=user, session_key=session.session_key)


def measure_render(plan: Any) -> tuple[list[float], set[int]]:
    """1. The board's full render in process (selectors + template, cache bypassed): times (ms), query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.models import Plan
    from warroom import views

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
    return times, queries


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
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
        ],
        cwd=ROOT,
        env=env,
    )


def wait_for_server(base: str) -> None:
    import httpx

    for _ in range(100):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def measure_changed_poll(base: str, path: str, plan: Any) -> tuple[list[float], str]:
    """1b. A changed poll through the server (cache miss, render, store): times (ms) and the last ETag."""
    import httpx
    from django.db import connection
    from django.db.models import F

    from plans.models import Plan

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
    return http_times, etag


def measure_throughput(port: int, path: str, etag: str) -> dict[str, Any]:
    """2. Throughput: alternate short rounds so both see the same background load."""
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
    return {
        "health_runs": health_runs,
        "poll_runs": poll_runs,
        "health_codes": health_codes,
        "poll_codes": poll_codes,
        "health_rps": statistics.fmean(health_runs),
        "poll_rps": statistics.fmean(poll_runs),
    }


def measure_propagation(base: str, path: str, plan: Any) -> dict[tuple[str, int], dict[str, float]]:
    """3. From a tick until N polling screens see it, for both clients and N = 100 and 1,000."""
    from django.db import connection

    from checklists.models import Item, ItemStatus
    from checklists.services import item_tick
    from plans.models import Plan

    coordinator = plan.coordinator
    open_items = list(Item.objects.filter(plan=plan, status=ItemStatus.OPEN).values_list("pk", flat=True)[: TICKS * 8])

    def tick() -> int:
        item_tick(open_items.pop(), by=coordinator)
        revision = Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)
        connection.close()
        return revision

    return {(kind, n): propagation(base, path, n, tick, kind) for kind in ("httpx", "raw") for n in (100, 1000)}


def report(
    vendor: str,
    render: tuple[list[float], set[int]],
    http_times: list[float],
    through: dict[str, Any],
    prop: dict[tuple[str, int], dict[str, float]],
) -> None:
    times, queries = render
    health_rps, poll_rps = through["health_rps"], through["poll_rps"]
    print()
    print(f"War-room benchmark · {vendor} · gunicorn 2 workers x 8 threads · {os.cpu_count()} CPUs")
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
    print(f"minimal view /healthz: {health_rps:,.0f} req/s ({rounds}; {through['health_codes']})")
    print(f"unchanged poll (304): {poll_rps:,.0f} req/s ({rounds}; {through['poll_codes']})")
    print(f"ratio unchanged poll / minimal view: {poll_rps / health_rps:.0%}")
    print("  per round (req/s): healthz " + ", ".join(f"{r:,.0f}" for r in through["health_runs"]))
    print("  per round (req/s): 304     " + ", ".join(f"{r:,.0f}" for r in through["poll_runs"]))
    for (kind, n), r in prop.items():
        print(
            f"propagation, {n:>5} screens ({kind:>5} client, {r['procs']} proc) every {POLL_SECONDS:.0f} s: "
            f"p50 {r['p50']:.2f} s, "
            f"p95 {r['p95']:.2f} s, max {r['max']:.2f} s ({r['samples']} samples, {r['missed']} missed, "
            f"{r['errors']} errors)"
        )


def main() -> None:
    env = configure()
    ensure_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import connection

    from launch.services.sample import build_sample_plan
    from warroom import views

    print(f"Building the bench plan: {SIZES} on {connection.vendor} …", flush=True)
    plan = build_sample_plan("bench", **SIZES)

    render = measure_render(plan)
    port = free_port()
    server = start_server(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(base)
        path = (
            views.reverse("warroom:fragment", args=[plan.slug]) + "?s=" + signed_in_screen_token(plan, plan.coordinator)
        )
        http_times, etag = measure_changed_poll(base, path, plan)
        through = measure_throughput(port, path, etag)
        prop = measure_propagation(base, path, plan)
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(connection.vendor, render, http_times, through, prop)


if __name__ == "__main__":
    main()
