"""Issue 16 in Chromium, on the Midas template: the board shows a contacts panel that opens in place, with
click-to-call and e-mail links and a copy button (static JS, under the CSP); the role page opens a step's
rollback text and the role's facts in place. With LC_SCREENSHOTS=docs: docs/contacts-board.png,
docs/role-plan-text.png,
docs/role-about.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.models import PlanStatus, Step
from plans.services import plan_transition
from roles.models import Contact, Role
from tests import factories
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_contacts_and_the_role_page_rollback_in_place(
    page: Any, login_page: Callable[..., Any], live_server: Any
) -> None:
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    plan = import_plan_text(
        template_text("midas-lifestyle"),
        t0=timezone.now() + timedelta(hours=2),
        tz="America/New_York",
        coordinator=coordinator,
        slug="midas",
    )
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(plan, to=state, by=coordinator)
    devops = factories.UserFactory(username="devops", first_name="Dana", last_name="Devops")
    # The seed's contacts are placeholders ([NAME] - [PHONE] - [EMAIL]); a team fills them in the admin.
    Role.objects.filter(plan=plan, name="DevOps Engineer").update(
        primary=devops, phone="+1 212 555 0147", email="devops@midas.example"
    )
    Contact.objects.filter(plan=plan, label="Netlify Support").update(phone="+1 415 555 0100")

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login_page(page, devops)
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    panel = page.locator("#wr-contacts")
    assert panel.is_visible() and not panel.evaluate("d => d.open")
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    # closed, the strip still says who to call, and stands beside the footer, off the panels
    assert "Dana Devops" in panel.inner_text()
    box, grid = panel.bounding_box(), page.locator(".wr-grid").bounding_box()
    assert box is not None and grid is not None and box["y"] >= grid["y"] + grid["height"] - 2
    keep(page, "contacts-board.png")
    panel.locator("summary").click()
    assert panel.evaluate("d => d.open")
    text = panel.inner_text()
    assert "DevOps Engineer" in text and "Dana Devops" in text and "Netlify Support" in text
    assert panel.locator('a[href="tel:+14155550100"]').is_visible()
    assert panel.locator('a[href="mailto:devops@midas.example"]').is_visible()
    copy = panel.locator('button[data-copy="+1 212 555 0147"]')
    copy.click()
    page.wait_for_function("b => b.textContent === 'Copied'", arg=copy.element_handle())
    assert page.evaluate("() => navigator.clipboard.readText()") == "+1 212 555 0147"
    keep(page, "contacts-board-open.png")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/plans/{plan.slug}/roles/devops-engineer/")
    step = Step.objects.get(plan=plan, name="System Activation")
    detail = page.locator(f"#step-{step.pk} details.step-detail")
    assert not detail.evaluate("d => d.open")
    assert not page.get_by_text("Activate previous stable version").first.is_visible()
    detail.locator("summary").click()
    assert detail.evaluate("d => d.open")
    assert "Activate previous stable version" in detail.locator(".step-rollback").inner_text()
    about = page.locator("#role-about")
    about.locator("summary").click()
    assert "Server management" in about.inner_text() and "[DEVOPS LEAD]" in about.inner_text()
    assert about.locator('a[href="tel:+12125550147"]').is_visible()
    detail.scroll_into_view_if_needed()
    keep(page, "role-plan-text.png")
    page.evaluate("() => window.scrollTo(0, 0)")
    keep(page, "role-about.png")
