"""Raising an issue in a few seconds (issue 12): on a laptop role page the DBA presses ``i``, the dialog opens
with the title focused, a critical issue is raised, and the coordinator's board shows it with its response-SLA
timer within the poll interval (counted in board polls, as tests/browser/test_walkthrough.py does). The
screenshots of the dialog, the issue's page and the risk register for docs/ are taken here too."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from issues import services
from issues.models import Issue, SeveritySLA
from plans.models import Risk
from tests import factories
from tests.browser.shots import keep
from tests.browser.test_csp import WATCH as CSP_WATCH
from tests.browser.waiting import wait_for_js
from tests.browser.walkthrough import WATCH, until

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "Checkout returns 502 for card payments"


@pytest.fixture
def pages(browser: Browser) -> Iterator[dict[str, Page]]:
    """The coordinator's board on the war-room screen, the DBA's laptop: separate sign-ins."""
    contexts = []
    made: dict[str, Page] = {}
    for name, (width, height) in (("board", (1920, 1080)), ("laptop", (1366, 768))):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        made[name] = context.new_page()
        made[name].set_default_timeout(10_000)
    yield made
    for context in contexts:
        context.close()


def test_shortcut_raises_a_critical_issue_that_reaches_the_board(
    pages: dict[str, Page], login_page: LoginPage, live_server: LiveServer, settings: Settings
) -> None:
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders); arrival is counted in polls
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(minutes=20)
    )
    dba = factories.UserFactory(username="dba", first_name="Dana", last_name="Admin")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=dba)
    step = factories.StepFactory(plan=plan, name="Switch payments to the new gateway", lead_role=role)
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=timedelta(minutes=15))

    board = login_page(pages["board"], coordinator)
    board.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    board.wait_for_selector("#wr-root")
    until(lambda: board.evaluate("window.warroom && window.warroom.polls > 0"), "the board to poll", page=board)
    board.evaluate(WATCH, ["issue", "li.issue", [TITLE, "respond within"]])

    laptop = login_page(pages["laptop"], dba)
    laptop.add_init_script(CSP_WATCH)
    laptop.goto(f"{live_server.url}/plans/{plan.slug}/roles/{role.slug}/")
    assert laptop.locator("a[data-raise-issue] kbd").inner_text() == "i"  # the shortcut is shown
    laptop.locator("body").click(position={"x": 5, "y": 300})  # focus on the page, not in a field
    laptop.keyboard.press("i")
    laptop.wait_for_selector("#raise-dialog[open] #id_title")
    wait_for_js(laptop, "document.activeElement && document.activeElement.id === 'id_title'")
    laptop.keyboard.type(TITLE)  # typing i in the title does not open another dialog
    laptop.select_option("#raise-dialog #id_severity", "critical")
    laptop.select_option("#raise-dialog #id_step", str(step.pk))  # shown as "T-1h Switch payments…"
    laptop.select_option("#raise-dialog #id_owner_role", label="DBA")
    keep(laptop, "issue-raise-dialog.png")
    laptop.click("#raise-dialog button[type=submit]")
    laptop.wait_for_selector("#raise-dialog[open] >> text=Raised #1")
    since = int(board.evaluate("window.warroom.polls"))
    issue = Issue.objects.get(plan=plan)
    assert issue.severity == "critical" and issue.reported_by == dba and issue.step is not None

    seen = until(
        lambda: board.evaluate("window.__seen && window.__seen['issue']"), "the issue on the board", page=board
    )
    assert seen - since <= 2, f"the issue reached the board at poll {seen}, {seen - since} after it was raised"
    row = board.locator("li.issue", has_text=TITLE)
    assert row.locator(".lbl-due").is_visible() and not row.locator(".lbl-over").is_visible()
    left = row.locator(".val").inner_text()
    assert re.fullmatch(r"1[0-5]:\d\d|0\d:\d\d", left) and left <= "15:00", row.inner_text()  # a 15-minute SLA

    laptop.keyboard.press("Escape")
    wait_for_js(laptop, "!document.querySelector('#raise-dialog[open]')")
    assert laptop.evaluate("window.__csp") == []  # the dialog, its form and the shortcut need no inline script
    _shots(laptop, live_server, issue, dba, coordinator)


def _shots(laptop: Page, live_server: LiveServer, issue: Issue, dba: User, coordinator: User) -> None:
    """The issue's page with a timeline, and the risk register, on the laptop (for docs/)."""
    services.issue_comment(issue, by=dba, body="Gateway answers 502 for Visa and Mastercard; PayPal is fine.")
    services.issue_acknowledge(issue, by=dba)
    services.issue_mitigate(issue, by=dba, note="Routing card payments back to the old gateway")
    services.issue_comment(issue, by=coordinator, body="Holding the press release until this is resolved.")
    laptop.goto(f"{live_server.url}/plans/{issue.plan.slug}/issues/{issue.number}/")
    laptop.wait_for_selector(".issue-timeline")
    assert "Mitigating" in laptop.inner_text(".issue-track li.is-current")
    laptop.click("details.triage summary")  # the raise said critical; the war room now knows it is high
    laptop.select_option("#triage-severity", "high")
    laptop.click("details.triage button[type=submit]")
    laptop.wait_for_selector("text=Updated #1.")
    assert "severity Critical → High" in laptop.inner_text(".issue-timeline")
    laptop.click("details.triage summary")
    keep(laptop, "issue-detail.png", full_page=True)

    payments = Risk.objects.create(  # (test set-up) risks come from the plan file
        plan=issue.plan,
        order=1,
        title="Payment gateway fails under load",
        probability="medium",
        impact="high",
        mitigation=["Load-test the gateway at 3× peak", "Keep the old gateway warm"],
        rollback_plan="Route payments back to the old gateway",
        owner_role=issue.owner_role,
    )
    Risk.objects.create(
        plan=issue.plan,
        order=2,
        title="DNS propagation slower than planned",
        probability="medium",
        impact="medium",
        mitigation=["TTL lowered to 60 s a day before"],
    )  # (test set-up)
    Risk.objects.create(
        plan=issue.plan,
        order=3,
        title="Search index stale after the cut-over",
        probability="high",
        impact="low",
        rollback_plan="Re-index from the nightly snapshot",
    )  # (test set-up)
    Risk.objects.create(
        plan=issue.plan,
        order=4,
        title="Data loss in the migration",
        probability="low",
        impact="high",
        mitigation=["Verified backup before the migration"],
    )  # (test set-up)
    Issue.objects.filter(pk=issue.pk).update(risk=payments)  # (test set-up) linked when raised, in real life
    laptop.goto(f"{live_server.url}/plans/{issue.plan.slug}/risks/")
    cell = laptop.locator("#cell-medium-high")
    assert "1" in cell.locator(".cell-count").inner_text() and "R1" in cell.inner_text()
    keep(laptop, "risk-register.png", full_page=True)
