"""The pages under the Content-Security-Policy in Chromium (issue 8, finding 9): no violation on the board,
a role page, the timeline, the status page or the admin, and the live parts still work: the countdowns
tick, a tick on the role page swaps its row through htmx and reaches the board, the timeline's bars are
placed, the role switch navigates."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, TypedDict

import pytest
from django.utils import timezone

from plans.models import PlanStatus
from tests import factories
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, ConsoleMessage, Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role
    from tests.fixture_types import LoginPage


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class CspSetup(TypedDict):
    plan: Plan
    coordinator: User
    owner: User
    role: Role
    item: Item


@pytest.fixture
def setup() -> CspSetup:
    coordinator = factories.UserFactory(username="coord", is_staff=True, is_superuser=True)
    plan = factories.PlanFactory(
        coordinator=coordinator,
        slug="go-live",
        name="Go-live",
        t0=timezone.now() + timedelta(minutes=20),
        status=PlanStatus.COUNTDOWN,
    )
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    factories.RoleFactory(plan=plan, name="QA Lead", slug="qa")
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    item = factories.ItemFactory(checklist=checklist, title="Take a full backup", due_offset=timedelta(minutes=-5))
    factories.StepFactory(plan=plan, name="Migrate", lead_role=role, offset=timedelta(hours=-2))
    return {"plan": plan, "coordinator": coordinator, "owner": owner, "role": role, "item": item}


class WatchedPage(Protocol):
    """The ``watched`` fixture: a new page of the given size that records CSP violations."""

    def __call__(self, width: int = ..., height: int = ...) -> Page: ...


@pytest.fixture
def watched(browser: Browser) -> Iterator[WatchedPage]:
    """New pages in their own contexts that record CSP violations (events and console messages)."""
    contexts = []

    def _new(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        pg.add_init_script(WATCH)
        messages: list[str] = []
        pg.csp_console = messages  # type: ignore[attr-defined]  # kept on the page for assert_no_violation

        def _record(msg: ConsoleMessage) -> None:
            if "Content Security Policy" in msg.text or msg.text.startswith("Refused to"):
                messages.append(msg.text)

        pg.on("console", _record)
        return pg

    yield _new
    for context in contexts:
        context.close()


def assert_no_violation(pg: Page) -> None:
    assert pg.evaluate("window.__csp") == [], pg.url
    assert pg.csp_console == [], pg.url  # type: ignore[attr-defined]  # set by the watched fixture


def ticks(pg: Page, selector: str) -> None:
    first = pg.inner_text(selector)
    wait_for_js(
        pg,
        "([sel, first]) => document.querySelector(sel).textContent.trim() !== first.trim()",
        [selector, first],
        timeout=3_000,
    )


def test_pages_pass_the_policy_and_still_work(
    watched: WatchedPage,
    login_page: LoginPage,
    live_server: LiveServer,
    setup: CspSetup,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    monkeypatch.setattr("warroom.buckets.BUCKET_SECONDS", 10**9)  # only the tick changes the board
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders)
    plan, item = setup["plan"], setup["item"]
    base = f"{live_server.url}/plans/{plan.slug}"

    board = watched(1920, 1080)
    login_page(board, setup["coordinator"])
    response = board.goto(f"{base}/warroom/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    board.wait_for_selector("#wr-root")
    ticks(board, "#wr-clock")  # the war-room clock runs
    wait_for_js(board, "window.warroom.polls >= 1", timeout=5_000)  # htmx polls (no eval'd filter)
    assert board.locator(".wr-bar i.pct-0").count() == 1  # the DBA has done nothing yet
    full = board.locator(".wr-bar i.pct-100").count()

    role = watched()
    login_page(role, setup["owner"])
    role.goto(f"{base}/roles/{setup['role'].slug}/")
    role.evaluate("window.__same_document = true")
    role.click(f"#item-{item.pk} button[data-action=tick]")
    role.wait_for_selector(f"#item-{item.pk}.row-done")  # htmx swapped the row
    assert role.evaluate("window.__same_document") is True
    assert role.locator(f"#item-{item.pk} time[data-local][data-filled]").count() == 1
    board.wait_for_selector(".wr-activity >> text=Ticked “Take a full backup”", timeout=5_000)
    # The DBA's bar has moved off zero (the role also leads steps, counted since issue 10), with a width.
    wait_for_js(board, "document.querySelectorAll('.wr-bar i.pct-0').length === 0", timeout=5_000)
    assert board.locator(".wr-bar i.pct-100").count() >= full
    # The role switch navigates (it was an inline onchange handler).
    role.select_option("#role-switch", label="QA Lead")
    role.wait_for_url(f"{base}/roles/qa/")
    assert_no_violation(role)
    assert_no_violation(board)

    detail = watched()
    login_page(detail, setup["coordinator"])
    detail.goto(f"{live_server.url}/")  # the home page (where the login form's sign-in lands)
    detail.wait_for_selector("main")
    detail.goto(f"{base}/")
    if detail.locator("[data-countdown]").count():
        ticks(detail, "[data-countdown]")
    detail.goto(f"{base}/timeline/")
    left = detail.evaluate("getComputedStyle(document.querySelector('.tl-t0')).left")
    assert left not in ("0px", "auto"), left  # placed by ui.js from data-left
    width = detail.evaluate("document.querySelector('.bar.planned').getBoundingClientRect().width")
    assert width > 0
    detail.select_option("#role-filter", label="DBA")  # submits the filter (was onchange="…")
    detail.wait_for_url("**/timeline/?role=dba")
    detail.goto(f"{base}/warroom/kiosks/")
    detail.goto(f"{live_server.url}/admin/plans/plan/{plan.pk}/change/")
    detail.wait_for_selector("#plan_form")
    detail.goto(f"{live_server.url}/admin/plans/plan/")
    assert_no_violation(detail)

    public = watched()
    public.goto(f"{live_server.url}/accounts/login/")  # the form itself (the other pages sign in by cookie)
    public.wait_for_selector("#id_username")
    assert_no_violation(public)
    response = public.goto(f"{live_server.url}/status/{plan.slug}/")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    wait_for_js(public, "document.getElementById('countdown').textContent.includes('T-')")
    ticks(public, "#countdown")
    assert_no_violation(public)


def test_the_watch_sees_a_violation(watched: WatchedPage, live_server: LiveServer, setup: CspSetup) -> None:
    """The harness itself: an inline style injected into the page is refused and reported."""
    pg = watched()
    pg.goto(f"{live_server.url}/status/{setup['plan'].slug}/")
    pg.evaluate("""() => { const s = document.createElement('style'); s.textContent = 'p{color:red}';
                           document.head.appendChild(s); }""")
    wait_for_js(pg, "window.__csp.length > 0", timeout=3_000)
    assert "style-src" in pg.evaluate("window.__csp")[0]
