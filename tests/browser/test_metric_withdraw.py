"""A reading typed wrong, withdrawn in the browser: the SRE types 50 for an error rate of 0.05 %, the rollback
alarm goes up on the metrics page, the SRE opens the metric's readings, says why and withdraws it; the page
(which polls) shows the alarm gone and the trend drawn from the readings left. The screenshot of the page
for docs/ is taken here too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from plans.models import Event, MetricReading, RollbackTrigger
from plans.services import reading_record
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP = timedelta(seconds=10)


def test_a_typo_is_withdrawn_and_its_alarm_clears(page: Page, login_page: LoginPage, live_server: LiveServer) -> None:
    plan = factories.PlanFactory(slug="go-live", name="Go-live", t0=timezone.now() - timedelta(minutes=30))
    sre = factories.UserFactory(username="sre", first_name="Sam", last_name="Sre")
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=sre)
    metric = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    latency = factories.MetricFactory(
        plan=plan, name="Latency", comparator="<", target=Decimal(500), unit="ms", order=1
    )
    RollbackTrigger.objects.create(  # (test set-up) triggers come from the plan file
        plan=plan, description="Error rate above 1 %", metric=metric, comparator=">", threshold=Decimal("1")
    )
    now = timezone.now()
    for minutes, value in ((25, "0.04"), (20, "0.06"), (15, "0.05"), (10, "0.07")):
        reading_record(metric, value=value, by=sre, at=now - timedelta(minutes=minutes))

    page.set_viewport_size({"width": 1366, "height": 768})
    login_page(page, sre).goto(f"{live_server.url}/plans/{plan.slug}/metrics/")
    page.fill(f"#metric-{metric.pk} input[name=value]", "50")
    page.press(f"#metric-{metric.pk} input[name=value]", "Enter")
    page.wait_for_selector("text=Rollback trigger in breach: Error rate above 1 %")
    # The page comes back at the next metric with its field focused: the round goes on by typing.
    assert page.evaluate("document.activeElement.closest('tr').id") == f"metric-{latency.pk}"
    page.keyboard.type("420")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Recorded Latency: 420 ms.")
    assert "IN BREACH" in page.inner_text("#rollback-triggers")

    page.click(f"#readings-{metric.pk} summary")
    newest = page.locator(f"#readings-{metric.pk} li").first
    assert "50 %" in newest.inner_text() and "Sam Sre" in newest.inner_text()
    newest.locator("input[name=reason]").fill("typo: meant 0.05")
    newest.locator("button[type=submit]").click()
    page.wait_for_selector("text=Withdrew the reading Error rate: 50 %.")
    assert "IN BREACH" not in page.inner_text("#rollback-triggers")
    assert page.locator(f"#metric-{metric.pk} .badge").inner_text() == "0.07 %"
    trend = page.get_attribute(f"#metric-{metric.pk} svg.sparkline", "aria-label") or ""
    assert "4 readings" in trend and "0.04 % then 0.07 %" in trend, trend
    assert MetricReading.objects.filter(metric=metric).count() == 4
    assert Event.objects.filter(plan=plan, kind="rollback.cleared").exists()
    page.click(f"#readings-{metric.pk} summary")
    keep(page, "metrics-withdraw.png")


def test_an_older_typo_among_a_monitoring_feed_is_found_and_withdrawn(
    page: Page, login_page: LoginPage, live_server: LiveServer
) -> None:
    """A monitoring push records the error rate every 10 s; a typo typed by hand 15 minutes ago is far below the
    metrics page's newest few. The coordinator opens every reading of the metric, keeps only those off target and
    withdraws it there, and lands back on the same list."""
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coord")
    plan = factories.PlanFactory(slug="fed", name="Fed", coordinator=coordinator, t0=timezone.now())
    metric = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    now = timezone.now()
    MetricReading.objects.bulk_create(
        MetricReading(metric=metric, value=Decimal("50") if i == 90 else Decimal("0.05"), recorded_at=now - i * STEP)
        for i in range(1, 121)
    )
    login_page(page, coordinator).goto(f"{live_server.url}/plans/{plan.slug}/metrics/")
    page.click(f"#readings-{metric.pk} summary")
    assert "50 %" not in page.inner_text(f"#readings-{metric.pk} ul")  # not among the newest listed
    page.click("text=Every reading of Error rate →")
    assert page.locator("#readings tbody tr").count() == 50
    page.click("text=Only readings off target")
    row = page.locator("#readings tbody tr")
    assert row.count() == 1 and "50 %" in row.inner_text() and "monitoring push" in row.inner_text()
    row.locator("input[name=reason]").fill("typed by hand: meant 0.05")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=Withdrew the reading Error rate: 50 %.")
    assert page.url.endswith(f"/metrics/{metric.pk}/readings/?off=1")
    assert "No reading is off target." in page.inner_text("#readings")
    assert MetricReading.objects.filter(metric=metric).count() == 119
