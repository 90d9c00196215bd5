"""The board's success metrics after T-0, where each shows its verdict beside its target and its value.

A metric's name wraps between its words at every size, never inside one (at 1366x768 "Checkout success" read
"Checkou" / "t success" and "API response time" "Respon" / "se time", squeezed by the figures and the verdict
beside them).

An ended board shows a metric's last reading with its time, or NO DATA, never both: the reading taken before T-0
(outside every criterion's window) showed green beside "NO DATA"."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from launch.services.sample import build_sample_plan
from plans import services as ps
from plans.models import Plan, PlanStatus
from tests import factories
from tests.browser.shots import keep
from tests.browser.words import SPLIT_WORDS

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]


def _metrics_plan(slug: str, t0_ago: timedelta) -> Plan:
    """The sample launch (its readings three, two and four minutes old) with T-0 ``t0_ago`` in the past and
    a metric with a longer name, read too."""
    plan = build_sample_plan(slug, items=20, roles=4, steps=8, issues=2)
    coordinator = plan.coordinator
    assert coordinator is not None
    now = timezone.now()
    ps.plan_rebaseline(plan, new_t0=now - t0_ago, by=coordinator, reason="set-up")
    metric = factories.MetricFactory(
        plan=plan, order=0, name="API response time", comparator="<", target=Decimal(500), unit=" ms"
    )
    ps.reading_record(metric, value="620", by=coordinator, at=now - t0_ago / 2)
    return plan


def test_metric_names_wrap_between_words(page: Page, login_page: LoginPage, live_server: LiveServer) -> None:
    plan = _metrics_plan("metrics-live", timedelta(hours=1))  # every reading in the window: MET, NOT MET
    coordinator = plan.coordinator
    assert coordinator is not None
    ps.plan_launch(plan, by=coordinator, override="set-up")
    login_page(page, coordinator)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        page.wait_for_selector(".wr-metrics .crit")
        size = f"{width}x{height}"
        keep(page, f"board-metrics-{size}.png")
        assert page.evaluate(SPLIT_WORDS, "#wr-root") == [], size
        names = page.eval_on_selector_all(".wr-metrics li.metric .what", "els => els.map((e) => e.title)")
        assert "API response time" in names, size  # the whole name, were it ever cut short


def test_an_ended_board_shows_the_last_reading_with_its_time_or_no_data(
    page: Page, login_page: LoginPage, live_server: LiveServer
) -> None:
    # T-0 a minute ago: the sample's readings (two to four minutes old) came before it, out of every window;
    # "API response time" was read after it; "Uptime" never.
    plan = _metrics_plan("metrics-ended", timedelta(minutes=1))
    coordinator = plan.coordinator
    assert coordinator is not None
    ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")
    login_page(page, coordinator)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    page.wait_for_selector("#wr-ended")
    keep(page, "board-metrics-ended-1366x768.png")
    rows = page.eval_on_selector_all(
        ".wr-metrics li.metric",
        """els => Object.fromEntries(els.map((li) => [li.querySelector(".what").textContent.trim(),
            [...li.querySelectorAll(".val, .at, .crit")].map((e) => e.textContent.trim()).join(" ")]))""",
    )
    assert set(rows) == {"Error rate", "API response time", "p95 latency", "Checkout success", "Uptime"}
    for name, shown in rows.items():
        assert ("NO DATA" in shown) != (" at " in shown), f"{name}: {shown}"  # a reading and its time, or NO DATA
    assert rows["Uptime"] == "NO DATA"  # never read: no "—" beside it either
    for name, value in [("Error rate", "0.04 %"), ("p95 latency", "512 ms"), ("Checkout success", "99.2 %")]:
        assert rows[name].startswith(f"{value} at "), rows[name]  # before T-0: its time says so, no verdict
    assert rows["API response time"].startswith("620 ms at ") and rows["API response time"].endswith("NOT MET")
