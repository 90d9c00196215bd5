"""Readiness on the role page in Chromium (issue 13): the Support Lead ticks a readiness item in the role
page's "Readiness" section (htmx: the row and the count change in place) and the plan's readiness summary
counts it. With LC_SCREENSHOTS=docs: docs/role-readiness-1366.png and docs/role-readiness-390.png."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from readiness import services
from readiness.models import ReadinessItem
from roles.models import Role
from tests.browser.shots import keep
from tests.readiness.world import build

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ticking_a_readiness_item_on_the_role_page(browser: Any, login_page: Any, live_server: LiveServer) -> None:
    w = build()
    lead = w.people["Support Lead"]
    role = Role.objects.get(plan=w.plan, name="Support Lead")
    done = ReadinessItem.objects.create(plan=w.plan, role=role, order=1, title="Support contacts distributed")
    services.readiness_item_set(done, by=lead, done=True, note="Sent to the team's channel")
    ReadinessItem.objects.create(plan=w.plan, role=role, order=2, title="Canned replies for known issues loaded")
    base = f"{live_server.url}/plans/{w.plan.slug}"
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_page(page, lead)
        page.goto(f"{base}/readiness/")
        assert "readiness items done: 1/4" in page.locator(".page-head").inner_text()

        page.goto(f"{base}/roles/{role.slug}/")
        section = page.locator("#readiness")
        assert section.locator("#readiness-count").inner_text() == "1 of 3 done"
        assert "Support team training · this role leads it" in section.inner_text()
        section.get_by_role("button", name="Tick “Support rota staffed”").click()
        untick = section.get_by_role("button", name="Untick “Support rota staffed”")
        untick.wait_for()
        assert section.locator("#readiness-count").inner_text() == "2 of 3 done"
        assert "Done by" in section.locator(".row", has_text="Support rota staffed").inner_text()
        page.reload()  # recorded, not only shown
        assert section.locator("#readiness-count").inner_text() == "2 of 3 done"
        section.scroll_into_view_if_needed()
        keep(page, "role-readiness-1366.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        keep(page, "role-readiness-390.png", full_page=True)

        page.goto(f"{base}/readiness/")
        assert "readiness items done: 2/4" in page.locator(".page-head").inner_text()
        assert (
            "Done" in page.locator(f"#ritem-{ReadinessItem.objects.get(title='Support rota staffed').pk}").inner_text()
        )
    finally:
        context.close()
