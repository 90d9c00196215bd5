"""The review page in Chromium after the simulated launch (tests/review/launch_story.py), read at 13:00
on launch day: the key figures, the charts drawn (inline SVG under the CSP, no script), a lesson and a
follow-up action added through the forms. With LC_SCREENSHOTS=docs: docs/review-1366.png (the top of the
page) and docs/review-metrics.png (the metrics' charts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import time_machine

from review import services
from tests.browser.shots import keep
from tests.review.launch_story import at, simulate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_review_page_after_a_launch(page: Any, login_page: Callable[..., Any], live_server: Any) -> None:
    launch = simulate()
    traveller = time_machine.travel(at(13), tick=True)
    traveller.start()
    try:
        services.lesson_add(
            launch.plan,
            by=launch.coordinator,
            kind="went_well",
            text="The NO-GO poll caught the unstaffed support rota",
        )
        services.followup_add(
            launch.plan,
            by=launch.coordinator,
            title="Staff the support rota a day before the gate",
            owner_role=launch.lead_role,  # type: ignore[arg-type]
            due_date=date(2026, 12, 8),
        )
        page.set_viewport_size({"width": 1366, "height": 768})
        login_page(page, launch.coordinator)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/plans/{launch.plan.slug}/review/")
        assert "4 of 5 finished (80 %)" in page.locator("#summary").inner_text()
        assert page.locator("#metrics svg").count() == 3
        box = page.locator("#metrics svg").first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 90
        keep(page, "review-1366.png")
        page.fill("#id_text", "Rehearse the gate with the real rota")
        page.click("text=Add lesson")
        page.wait_for_load_state("networkidle")
        assert "Rehearse the gate with the real rota" in page.locator("#lessons").inner_text()
        page.evaluate("document.getElementById('metric-charts').scrollIntoView()")
        keep(page, "review-metrics.png")
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        traveller.stop()


def test_the_comparison_of_three_launches(page: Any, login_page: Callable[..., Any], live_server: Any) -> None:
    from tests import factories
    from tests.review.three_launches import three_launches

    three_launches()
    viewer = factories.UserFactory(username="sponsor", first_name="Sam", last_name="Sponsor")
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page(page, viewer)
    page.goto(f"{live_server.url}/launches/compare/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3 and "Rolled back" in rows.nth(0).inner_text()
    assert page.locator("figure svg").count() == 7  # one per figure, readiness at the gate included (issue 13)
    keep(page, "compare-launches.png", full_page=True)
