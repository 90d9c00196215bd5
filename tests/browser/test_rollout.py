"""The Midas go-live's soft launch at its 25 % stage, in Chromium (issue 12, item 5): the board's rollout
panel (stage, soak timer from the stage's start, the health of each metric that must hold) at 1920x1080,
the rollout page as its authority sees it (why it may not advance yet, the controls), and a breach's
rollback proposal on the board. With LC_SCREENSHOTS=docs: docs/rollout-board.png, docs/rollout-page.png,
docs/rollout-proposal-board.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from issues.services import issue_open
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.models import MetricReading, Plan, PlanStatus, Rollout
from plans.services import reading_record
from roles.models import Role
from tests import factories
from tests.browser.shots import keep
from tests.browser.test_board_fit import AUDIT
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
M = timedelta(minutes=1)
READINGS = {
    "Uptime": "99.97",
    "Response Time": "1.8",
    "Error Rate": "0.04",
    "Page Load Speed": "2.6",
    "Conversion Rate": "1.7",
}


def _midas_at_25(coordinator: Any, executive: Any) -> Plan:
    now = timezone.now().replace(microsecond=0)
    t0 = now - (2 * 60 + 40) * M  # 08:40 launch-day time: the 25 % stage began at 08:00
    plan = import_plan_text(
        template_text("midas-lifestyle"), filename="midas.yaml", t0=t0, tz="America/New_York", coordinator=coordinator
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)
    Role.objects.filter(plan=plan, name="Executive Team").update(primary=executive)
    Rollout.objects.filter(plan=plan).update(current=2, stage_started_at=now - 40 * M)
    for metric in plan.metrics.filter(name__in=READINGS):
        MetricReading.objects.create(metric=metric, value=Decimal(READINGS[metric.name]), recorded_at=now - 15 * M)
    return plan


def _fits(page: Any) -> None:
    """The board's own audit (tests/browser/test_board_fit.py): nothing runs over or out of its box, no
    scrolling, type at least 28 px at 1080p, WCAG AA contrast, with the rollout panel on it."""
    wait_for_js(page, "window.warroom && window.warroom.polls > 0", timeout=10_000)
    audit = page.evaluate(AUDIT)
    assert not audit["hscroll"] and not audit["vscroll"]
    ours = ("wr-ro", "wr-rollout", "h h-", "wr-banner", "wr-sub", "wr-metrics", "metric")  # (the forecast panel's
    for problem in ("overflow", "outside", "small", "contrast"):  # own overflow here is not the rollout's)
        found = [p for p in audit[problem] if p.startswith(ours)]
        assert found == [], (problem, found)


def _gate_shown(page: Any, *, column: int) -> None:
    """The gates panel in ``column`` of the board, its first gate on screen once the board has fitted its lists."""
    wait_for_js(page, "window.warroom && window.warroom.polls > 0", timeout=10_000)
    assert page.locator(f".wr-grid > .wr-col:nth-child({column}) .wr-gates").count() == 1
    assert page.locator(".wr-gates li.gate").first.is_visible()


def test_the_rollout_on_the_board_and_its_page(
    browser: Any, login_page: Any, live_server: LiveServer, settings: Settings
) -> None:
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders): its first poll sooner
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    executive = factories.UserFactory(username="evelyn", first_name="Evelyn", last_name="Hart")
    plan = _midas_at_25(coordinator, executive)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, executive)
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        panel = page.locator("#wr-rollout")
        panel.wait_for()
        text = panel.inner_text()
        assert "25 %" in text and "stage 2/4" in text and "Soft launch expansion" in text
        assert "✗ Conversion Rate" in text and "✓ Error Rate" in text and "/ 3h" in text
        _fits(page)
        keep(page, "rollout-board.png")
        _gate_shown(page, column=3)  # no issue open: the gates under the issues (they were squeezed under the
        # forecast, "+3 more gates" and no gate, beside an empty third column)
        for title in ("Checkout errors after the payment switch", "Slow search on the catalogue"):
            issue_open(plan, by=coordinator, title=title, severity="high")
        page.reload()
        page.locator(".wr-issues li.issue").nth(1).wait_for()
        _gate_shown(page, column=1)  # the forecast no longer shrinks with "Next 30 min" and hides the gate
        page.set_viewport_size({"width": 1280, "height": 720})
        page.reload()
        _gate_shown(page, column=1)
        keep(page, "rollout-board-issues-1280x720.png")

        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/plans/{plan.slug}/rollout/")
        verdict = page.inner_text("#rollout-verdict")
        assert "Cannot advance to 50 % yet:" in verdict and "Conversion Rate is off target" in verdict
        page.click("#rollout-advance")
        assert "Not advanced: The 25 % stage soaks until" in page.inner_text(".messages")
        assert Rollout.objects.get(plan=plan).current == 2
        keep(page, "rollout-page.png", full_page=True)

        error_rate = plan.metrics.get(name="Error Rate")
        now = timezone.now()
        for minutes_ago in (12, 1):  # (through the service: the board's cache follows the plan's revision)
            reading_record(error_rate, value=Decimal("1.6"), by=coordinator, at=now - minutes_ago * M)
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        banner = page.locator("#wr-rollout-proposal")
        banner.wait_for()
        assert "back to 10 % or roll back the launch" in banner.inner_text()
        _fits(page)
        keep(page, "rollout-proposal-board.png")
    finally:
        context.close()
