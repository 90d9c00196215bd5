"""A recurring step on the page (issue 16): 17 minutes after T-0, the SRE's "Health checks" (every 15
minutes, 10 minutes' grace) is one row: occurrence #2 of 9 to tick now, #3 next, #1 missed; ticking it on
the page counts it done, and the board lists it among the next 30 minutes with its missed count. With
LC_SCREENSHOTS=docs the screenshot goes to docs/recurring-step-role.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_recurring_step_is_one_row_ticked_in_place(browser: Any, login_page: Any, live_server: LiveServer) -> None:
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Moreau")
    factories.UserFactory(username="quinn", first_name="Quinn", last_name="Ng")
    text = (ROOT / "tests" / "runbooks" / "recurring-steps.yaml").read_text()
    t0 = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=17)
    plan = import_plan_text(text, filename="steps.yaml", t0=t0, coordinator=alice)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, alice)
        page.goto(f"{live_server.url}/plans/{plan.slug}/roles/sre/")
        series = page.locator(".row-series", has_text="Health checks")
        assert series.count() == 1
        text_now = series.inner_text()
        assert "#2 of 9" in text_now and "next #3" in text_now and "1 missed" in text_now
        assert "Verify: Dashboards green" in text_now
        series.locator("[data-action=tick-occurrence]").click()
        page.locator(".row-series .done-count", has_text="1 done").wait_for()
        keep(page, "recurring-step-role.png")
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
        page.wait_for_selector(".wr-next")
        assert "Health checks #3 of 9 · 1 missed" in page.inner_text(".wr-next")
    finally:
        context.close()
