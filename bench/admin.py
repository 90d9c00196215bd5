#!/usr/bin/env python
"""Admin benchmark (``make bench``): the admin pages and actions a coordinator uses, on the demo plan.

Builds the demo (``load_demo``: the HeyPeter plan, its people, part-way through its countdown) in its own
database, signs in as the demo coordinator and times each page and action through Django's test client
in this process (the view, its queries and its template; no network): RUNS times each, prints p50, p95 and
the query count, as a Markdown table for docs/performance.md.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/launchcontrol_bench_admin, created
if missing) and REDIS_URL (default redis://127.0.0.1:6379/15). ``--runs N`` (default 20).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import benchenv
from benchenv import ensure_database
from loadgen import pct

if TYPE_CHECKING:
    from django.test import Client

TARGET = 1.0  # seconds, p95, every admin page and action (issue 11)


def configure() -> None:
    benchenv.configure(
        database="launchcontrol_bench_admin",
        prefix="lc-bench-admin",
        allowed_hosts="testserver,127.0.0.1",
        log_level="ERROR",
    )


class FormScraper(HTMLParser):
    """The fields a browser would submit from each ``<form method=post>`` (inputs, selects, textareas), so
    an admin page can be posted back as it was rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.data: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
            self.data = []
            self.forms.append(self.data)
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in {"submit", "button", "file", "image"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            else:
                self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.data.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.data.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_data(html: str) -> dict[str, Any]:
    scraper = FormScraper()
    scraper.feed(html)
    out: dict[str, Any] = {}
    for name, value in max(scraper.forms, key=len):  # the page's form, not the header's sign-out button
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def _getter(client: Client, url: str) -> Callable[[int], Any]:
    """A GET of ``url`` for measure() (a closure per URL, not a loop variable caught late)."""
    return lambda _run: client.get(url)


def measure(name: str, runs: int, action: Callable[[int], Any], rows: list[dict[str, Any]]) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries: list[int] = []
    for n in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = action(n)
            times.append(time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
        code = getattr(response, "status_code", 200)
        if code >= 400:
            raise SystemExit(f"{name}: HTTP {code}")
    row: dict[str, Any] = {
        "name": name,
        "p50": statistics.median(times),
        "p95": pct(times, 95),
        "max": max(times),
        "queries": max(queries),
    }
    rows.append(row)
    print(f"  {name}: p50 {row['p50'] * 1000:.0f} ms, p95 {row['p95'] * 1000:.0f} ms, {row['queries']} queries")


def build_demo() -> Any:
    from django.core.management import call_command

    from launch.services.demo import DEMO_SLUG
    from plans.models import Plan

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # DEBUG is off: the manifest is needed
    for plan in Plan.objects.filter(slug__startswith="bench-admin-"):
        plan.delete()  # the bench's own leftovers, in its own database
    Plan.objects.filter(slug=DEMO_SLUG).delete()
    call_command("load_demo", stdout=io.StringIO())
    return Plan.objects.get(slug=DEMO_SLUG)


def run(runs: int) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from launch.format import builtin_templates

    plan = build_demo()
    where = os.environ["DATABASE_URL"]
    print(f"Demo plan {plan.slug}: {plan.roles.count()} roles, {plan.steps.count()} steps on {where}")
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    rows: list[dict[str, Any]] = []
    change = reverse("admin:plans_plan_change", args=[plan.pk])
    from_template = reverse("admin:plans_plan_from_template")

    measure("Built-in template list (builtin_templates())", runs, lambda n: builtin_templates(), rows)
    measure("Admin index", runs, lambda n: client.get("/admin/"), rows)
    measure("Plan list", runs, lambda n: client.get(reverse("admin:plans_plan_changelist")), rows)
    measure("Plan change page", runs, lambda n: client.get(change), rows)
    page = client.get(change).content.decode()
    print(f"  (plan change page: {len(page) // 1024} KB of HTML)")

    def save_t0(n: int) -> Any:
        data = form_data(client.get(change).content.decode())
        clock = data["t0_1"]
        hours, minutes = int(clock[:2]), int(clock[3:5])
        minutes += 1 if n % 2 == 0 else -1  # one minute later, then back
        data["t0_1"] = f"{hours:02d}:{minutes % 60:02d}:00" if 0 <= minutes < 60 else clock
        data["_continue"] = "Save and continue editing"
        start = time.perf_counter()
        response = client.post(change, data)
        save_t0.post_times.append(time.perf_counter() - start)  # type: ignore[attr-defined]
        if response.status_code != 302:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
            raise SystemExit(f"save T-0: {response.status_code} {errors[:3]}")
        return response

    save_t0.post_times = []  # type: ignore[attr-defined]
    measure("Save a T-0 change (load the page, then post it)", runs, save_t0, rows)
    posts: list[float] = save_t0.post_times  # type: ignore[attr-defined]
    rows.append({"name": "Save a T-0 change (the post alone)", "p50": statistics.median(posts), "p95": pct(posts, 95),
                 "max": max(posts), "queries": None})  # fmt: skip
    print(f"  the post alone: p95 {pct(posts, 95) * 1000:.0f} ms")
    measure("New plan from template: page", runs, lambda n: client.get(from_template), rows)
    key = builtin_templates()[0].key
    t0 = (plan.t0 + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    def create(n: int) -> Any:
        data = {"template": key, "name": f"Bench {n}", "slug": f"bench-admin-{n}", "t0": t0, "timezone": "UTC"}
        response = client.post(from_template, data)
        if response.status_code != 302:
            raise SystemExit(f"from template: {response.status_code}")
        return response

    measure(f"New plan from template: create ({key})", max(5, runs // 2), create, rows)
    assign = reverse("admin:plans_plan_assign", args=[plan.pk]) if _has_url("admin:plans_plan_assign") else None
    if assign:
        measure("Assign people: page", runs, lambda n: client.get(assign), rows)

        def post_assign(n: int) -> Any:
            data = form_data(client.get(assign).content.decode())
            response = client.post(assign, data)
            if response.status_code != 302:
                raise SystemExit(f"assign: {response.status_code}")
            return response

        measure("Assign people: save (load, then post)", runs, post_assign, rows)
    for label, name in (("Role list", "roles_role"), ("Item list", "checklists_item"), ("Step list", "plans_step")):
        url = reverse(f"admin:{name}_changelist") + f"?plan__id__exact={plan.pk}"
        measure(label, runs, _getter(client, url), rows)
    return rows


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return False
    return True


def report(rows: list[dict[str, Any]], runs: int) -> None:
    print(f"\n| Admin page or action (demo plan, {runs} runs) | p50 | p95 | queries |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        flag = "" if row["p95"] <= TARGET else " **over 1 s**"
        queries = "—" if row["queries"] is None else str(row["queries"])
        print(f"| {row['name']} | {row['p50'] * 1000:.0f} ms | {row['p95'] * 1000:.0f} ms{flag} | {queries} |")
    slow = [r["name"] for r in rows if r["p95"] > TARGET]
    print(f"\nEvery page and action under {TARGET:.0f} s p95." if not slow else f"\nOver {TARGET:.0f} s p95: {slow}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    configure()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    report(run(runs), runs)


if __name__ == "__main__":
    main()
