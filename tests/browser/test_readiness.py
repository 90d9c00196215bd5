"""Readiness in Chromium (issue 13): the coordinator records a support engineer's completion by hand and
uploads the instructors' attendance sheet, and the go/no-go gate's figures change with them. With
LC_SCREENSHOTS=docs: docs/readiness.png (the plan's readiness page) and docs/readiness-gate.png (the gate
page, one audience met and one below its bar, with who is missing), at 1366 px."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from checklists.models import Gate
from readiness import services
from readiness.models import Attendee, ReadinessItem
from tests.browser.shots import keep
from tests.readiness.world import build

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = b"email,completed,session\ni9@example.com,yes,Instructor workshop\ni10@example.com,no,\n"


def test_recording_attendance_moves_the_gate(browser: Any, login_page: Any, live_server: LiveServer) -> None:
    w = build()
    coordinator = w.people["coordinator"]
    for email in ["ana@example.com"] + [f"i{n}@example.com" for n in range(1, 9)]:
        services.attendance_record(Attendee.objects.get(email=email), by=coordinator, completed=True)
    services.readiness_item_set(ReadinessItem.objects.get(title="Runbooks read"), by=coordinator, done=True)
    gate = Gate.objects.get(plan=w.plan, name="Go/No-Go")
    base = f"{live_server.url}/plans/{w.plan.slug}"
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, coordinator)
        page.goto(f"{base}/gates/{gate.slug}/")
        bars = page.locator(".readiness-bar")
        assert "50 % (1/2)" in bars.nth(0).inner_text() and "80 % (8/10)" in bars.nth(1).inner_text()
        assert "missing Ben Okafor" in page.locator(".blocker-list").inner_text()

        page.goto(f"{base}/readiness/support-team/")
        page.get_by_role("button", name="Ben Okafor completed").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#track-figure").inner_text() == "100 % (2/2)"

        page.goto(f"{base}/readiness/")
        assert page.locator('.figure[data-track="support-team"]').inner_text() == "100 % (2/2)"
        keep(page, "readiness.png", full_page=True)

        page.goto(f"{base}/gates/{gate.slug}/")
        assert "Met" in bars.nth(0).inner_text() and "100 % (2/2)" in bars.nth(0).inner_text()
        assert "Below" in bars.nth(1).inner_text()
        page.locator(".readiness-bar details summary").first.click()
        keep(page, "readiness-gate.png", full_page=True)

        page.goto(f"{base}/readiness/instructors/")
        page.set_input_files("#sheet-file", files=[{"name": "sheet.csv", "mimeType": "text/csv", "buffer": SHEET}])
        page.get_by_role("button", name="Record the sheet").click()
        page.wait_for_load_state("networkidle")
        assert "Attendance sheet recorded: 1 attendee(s) changed." in page.content()
        assert page.locator("#track-figure").inner_text() == "90 % (9/10)"

        page.goto(f"{base}/gates/{gate.slug}/")
        assert "90 % (9/10)" in bars.nth(1).inner_text() and "Met" in bars.nth(1).inner_text()
        assert "Nothing blocks a GO." in page.locator(".verdict").inner_text()

        page.goto(f"{base}/readiness/instructors/")
        bad = b"email\nnobody@example.com\n"
        page.set_input_files("#sheet-file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
        page.get_by_role("button", name="Record the sheet").click()
        page.wait_for_load_state("networkidle")
        assert "Line 2: nobody@example.com is not an expected attendee of this track." in page.content()
        assert page.locator("#track-figure").inner_text() == "90 % (9/10)"
    finally:
        context.close()
