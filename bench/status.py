#!/usr/bin/env python
"""Public status page benchmark (``make bench``, issue 14): the page a launch-day spike hits, on the same
gunicorn as the war-room bench, measured against the minimal view (/healthz) in alternating rounds.

Prints
  1. the database queries of a cached hit (target 0) and of a miss;
  2. throughput of a cached full GET (200, the whole page, gzipped as browsers and CDNs ask) and of a
     revalidation (If-None-Match -> 304), each as a ratio of /healthz's in the same run (targets >= 80 %
     and >= 90 %), as the means and as the median of the rounds' ratios (each round to the /healthz round
     before it).

Environment as bench/warroom.py (its own database ``launchcontrol_bench_status``, Redis db 15).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import benchenv
from benchenv import ensure_database
from loadgen import THROUGHPUT_SECONDS, throughput

# bench/warroom.py's server helpers, loaded by path: on this script's path "warroom" would name that file, not
# the app (and this file is not "statuspage.py" for the same reason).
_spec = importlib.util.spec_from_file_location("bench_warroom", Path(__file__).with_name("warroom.py"))
assert _spec is not None and _spec.loader is not None
_warroom = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_warroom)
ROOT, free_port, start_server, wait_for_server = (
    _warroom.ROOT,
    _warroom.free_port,
    _warroom.start_server,
    _warroom.wait_for_server,
)

ROUNDS = 9  # odd: the median of the rounds' ratios is one round's


def build_plan() -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from communications.models import StatusPost
    from launch.services.sample import build_sample_plan
    from statuspage import services
    from statuspage.models import Component

    plan = build_sample_plan("bench-status", items=50, roles=8, steps=20, issues=5)
    plan.t0, plan.window_end = timezone.now() + timedelta(hours=2), timedelta(hours=4)
    plan.save()
    for i, name in enumerate(["Web app", "API", "Payments", "Mobile app", "Email delivery", "Search"]):
        Component.objects.create(plan=plan, name=name, order=i, created_at=timezone.now() - timedelta(days=120))
    StatusPost.objects.create(plan=plan, title="Launch on schedule", body="All set.", published_at=timezone.now())
    api = Component.objects.get(plan=plan, name="API")
    assert plan.coordinator is not None
    services.incident_create(
        plan,
        by=plan.coordinator,
        name="Slow API responses",
        body="Some requests take a few seconds. We are investigating.",
        component_states={api.pk: "degraded_performance"},
    )
    return plan


def cached_hit_queries(path: str) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as miss:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as hit:
        assert client.get(path).status_code == 200
    return len(miss.captured_queries), len(hit.captured_queries)


def measure(port: int, path: str, etag: str) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"healthz": [], "full": [], "304": []}
    for _ in range(ROUNDS):
        runs["healthz"].append(throughput(port, "/healthz")[0])
        runs["full"].append(throughput(port, path, revalidate=False, gzip=True)[0])
        runs["304"].append(throughput(port, path, etag, gzip=True)[0])
    return runs


def main() -> None:
    env = benchenv.configure(
        database="launchcontrol_bench_status",
        prefix="lc-bench-status",
        allowed_hosts="127.0.0.1,localhost",
        log_level="WARNING",
        DB_CONN_MAX_AGE="60",
    )
    ensure_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # DEBUG is off: the page's {% static %} links need the manifest
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    import httpx
    from django.urls import reverse

    plan = build_plan()
    path = reverse("statuspage:page", args=[plan.slug])
    miss, hit = cached_hit_queries(path)
    port = free_port()
    server = start_server(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(base)
        # the Host the load generator sends (the cache keeps a rendering per host: its ETag is that one's)
        first = httpx.get(base + path, headers={"Accept-Encoding": "identity", "Host": "127.0.0.1"})
        gz = httpx.get(base + path, headers={"Accept-Encoding": "gzip"})
        etag = first.headers["etag"]
        assert httpx.get(base + path, headers={"If-None-Match": etag, "Host": "127.0.0.1"}).status_code == 304
        runs = measure(port, path, etag)
    finally:
        server.terminate()
        server.wait(timeout=20)
    health, full, revalidated = (statistics.fmean(runs[k]) for k in ("healthz", "full", "304"))
    print()
    print(f"Status page benchmark · gunicorn 2 workers x 8 threads · {os.cpu_count()} CPUs")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"page: {len(first.content):,} bytes ({gz.num_bytes_downloaded:,} gzipped); "
        f"queries: miss {miss}, cached hit {hit} (target 0)"
    )
    rounds = f"mean of {ROUNDS} alternating {THROUGHPUT_SECONDS:.0f}-s rounds"
    print(f"minimal view /healthz: {health:,.0f} req/s ({rounds})")
    print(f"cached full GET (200): {full:,.0f} req/s, {full / health:.0%} of the minimal view (target >= 80 %)")
    print(
        f"revalidation (304):    {revalidated:,.0f} req/s, "
        f"{revalidated / health:.0%} of the minimal view (target >= 90 %)"
    )
    for name, values in runs.items():
        print(f"  per round (req/s): {name:<7} " + ", ".join(f"{v:,.0f}" for v in values))
    # Each round's ratio to the /healthz round just before it, and their median: a stall of a second or two
    # (seen once in about fifteen rounds on a quiet machine, in whichever kind was running) moves the means
    # above by ten points or more; the median of the paired rounds does not move for one.
    for name, target in (("full", 80), ("304", 90)):
        ratios = [v / h for v, h in zip(runs[name], runs["healthz"], strict=True)]
        median = statistics.median(ratios)
        print(
            f"  {name} / healthz per round: "
            + ", ".join(f"{r:.0%}" for r in ratios)
            + f"; median {median:.0%} (target >= {target} %)"
        )


if __name__ == "__main__":
    main()
