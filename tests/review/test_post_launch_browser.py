"""The post-launch week in Chromium after the simulated launch and its week (tests/review/launch_story.py),
at T+8: the daily checks day by day (one missed), the criteria met / not met / open, and the operations
handoff accepted by the Operations Representative, which closes the launch; the board then says so. With
LC_SCREENSHOTS=docs: docs/post-launch.png (1366 px) and docs/board-closed.png.

Then the coordinator reopens the closed launch (a sev-1 the day after): the confirm step refuses a click
without the tick, the reason shows on the page, and the board no longer says CLOSED. With LC_SCREENSHOTS:
docs/post-launch-closed.png (the reopen control, open) and docs/post-launch-reopen.png (after)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from plans.models import PlanStatus
from review import services as rs
from tests.browser.shots import keep
from tests.review.launch_story import RECEIVER, at, clock, run_week, simulate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_receiver_accepts_the_handoff_and_the_launch_closes(
    page: Any, login_page: Callable[..., Any], live_server: Any
) -> None:
    launch = simulate()
    run_week(launch)
    traveller = time_machine.travel(at(9, 10, day=9), tick=True)
    traveller.start()
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        login_page(page, launch.people[RECEIVER])
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/plans/{launch.plan.slug}/post-launch/")
        assert "1 missed" in page.inner_text("#day-4")
        criteria = page.inner_text("#criteria")
        assert "Met" in criteria and "Not met" in criteria and "Open" in criteria
        assert "Proposed to Operations Representative" in page.inner_text("#handoff")
        keep(page, "post-launch.png", full_page=True)
        page.click("text=Accept the handoff and close the launch")
        page.wait_for_selector("#closed-banner")
        assert "Accepted" in page.inner_text("#handoff")
        assert "#3 Typo in the welcome email" in page.inner_text("#carried")
        launch.plan.refresh_from_db()
        assert launch.plan.status == PlanStatus.CLOSED
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"{live_server.url}/plans/{launch.plan.slug}/warroom/")
        page.wait_for_selector("#wr-closed")
        assert page.inner_text("#wr-state").strip() == "CLOSED"
        keep(page, "board-closed.png")
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        traveller.stop()


def test_the_coordinator_reopens_the_closed_launch(page: Any, login_page: Callable[..., Any], live_server: Any) -> None:
    launch = simulate()
    run_week(launch)
    with clock(at(9, 30, day=9)):
        rs.handoff_accept(launch.plan, by=launch.people[RECEIVER])
    traveller = time_machine.travel(at(8, 10, day=10), tick=True)
    traveller.start()
    try:
        page.set_viewport_size({"width": 1366, "height": 900})
        login_page(page, launch.coordinator)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/plans/{launch.plan.slug}/post-launch/")
        page.wait_for_selector("#closed-banner")
        page.click("#reopen summary")
        page.fill("#id_reason", "Sev-1 on T+9: payments fail for a third of the learners")
        page.locator("#reopen").scroll_into_view_if_needed()
        keep(page, "post-launch-closed.png", full_page=True)
        page.click("#reopen-form button[type=submit]")  # not confirmed: the browser asks for the tick
        launch.plan.refresh_from_db()
        assert launch.plan.status == PlanStatus.CLOSED
        page.check("#id_confirm")
        page.click("#reopen-form button[type=submit]")
        page.wait_for_selector("#reopened-banner")
        assert "payments fail" in page.inner_text("#reopened-banner")
        assert "Reverted" in page.inner_text("#handoff")
        history = page.inner_text("#handoff-history")  # open after a reversal: every step, oldest first
        assert "Every step (3)" in history and history.index("proposed") < history.index("reverted")
        assert page.locator("#closed-banner").count() == 0 and page.locator("#reopen-form").count() == 0
        keep(page, "post-launch-reopen.png", full_page=True)
        launch.plan.refresh_from_db()
        assert launch.plan.status == PlanStatus.LAUNCHED  # the state it was closed from
        page.goto(f"{live_server.url}/plans/{launch.plan.slug}/warroom/")
        page.wait_for_selector("#wr-state")
        assert page.locator("#wr-closed").count() == 0
        assert page.inner_text("#wr-state").strip() != "CLOSED"
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        traveller.stop()
