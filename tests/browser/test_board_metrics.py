"""The board's success metrics after T-0, where each shows its verdict beside its target and its value.

A metric's name wraps between its words at every size, never inside one (at 1366x768 "Checkout success" read
"Checkou" / "t success" and "API response time" "Respon" / "se time", squeezed by the figures and the verdict
beside them)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from launch.services.sample import build_sample_plan
from plans import services as ps
from plans.models import Plan
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
    ps.reading_record(metric, value="620", by=coordinator, at=now - timedelta(minutes=1))
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
