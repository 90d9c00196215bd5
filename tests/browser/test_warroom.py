"""The war-room board in Chromium, next to a role page: a tick shows up on the board without a
reload, unchanged polls (304) leave the board alone, a hold freezes the clock, and a lost connection
shows STALE until polls succeed again."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.utils import timezone

from plans.services import hold_start
from tests import factories
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role
    from tests.fixture_types import LoginPage, NewPage


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class BoardSetup(TypedDict):
    plan: Plan
    coordinator: User
    owner: User
    role: Role
    item: Item


@pytest.fixture
def setup() -> BoardSetup:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(minutes=20)
    )
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    item = factories.ItemFactory(checklist=checklist, title="Take a full backup", due_offset=timedelta(minutes=-5))
    return {"plan": plan, "coordinator": coordinator, "owner": owner, "role": role, "item": item}


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """Pages in their own browser contexts (separate sign-ins), closed before the live server stops."""
    contexts = []

    def _new() -> Page:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        return pg

    yield _new
    for context in contexts:
        context.close()


def _open_board(page: Page, login_page: LoginPage, live_server: LiveServer, user: User, plan: Plan) -> Page:
    login_page(page, user)
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    page.wait_for_selector("#wr-root")
    page.evaluate("window.__same_document = true")
    return page


def test_tick_on_role_page_reaches_the_board_without_reload(
    new_page: NewPage,
    login_page: LoginPage,
    live_server: LiveServer,
    setup: BoardSetup,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders): two polls sooner
    # The board's ETag also changes when the clock crosses a minute (its time-dependent rows); pin the
    # bucket so the only change this test sees is the tick.
    monkeypatch.setattr("warroom.buckets.BUCKET_SECONDS", 10**9)
    board = _open_board(new_page(), login_page, live_server, setup["coordinator"], setup["plan"])
    assert "Take a full backup" in board.inner_text(".wr-next")
    # Unchanged polls are answered 304 and swap nothing: the board keeps its content.
    wait_for_js(board, "window.warroom.unchanged >= 2", timeout=10_000)
    assert board.evaluate("window.warroom.swaps") == 0
    assert "Take a full backup" in board.inner_text(".wr-next")

    role_page = new_page()
    login_page(role_page, setup["owner"])
    role_page.goto(f"{live_server.url}/plans/{setup['plan'].slug}/roles/{setup['role'].slug}/")
    role_page.click(f"#item-{setup['item'].pk} button[data-action=tick]")
    role_page.wait_for_selector(f"#item-{setup['item'].pk}.row-done")

    board.wait_for_selector(".wr-activity >> text=Ticked “Take a full backup”", timeout=3_000)
    assert "Take a full backup" not in board.inner_text(".wr-next")
    assert board.evaluate("window.__same_document") is True  # no reload, no navigation
    assert board.evaluate("window.warroom.swaps") >= 1


def test_hold_freezes_the_clock(
    new_page: NewPage, login_page: LoginPage, live_server: LiveServer, setup: BoardSetup
) -> None:
    board = _open_board(new_page(), login_page, live_server, setup["coordinator"], setup["plan"])
    first = board.inner_text("#wr-clock")
    wait_for_js(board, f"document.getElementById('wr-clock').textContent !== {first!r}", timeout=5_000)

    hold_start(setup["plan"], by=setup["coordinator"], reason="Vendor not answering")
    board.wait_for_selector("#wr-state >> text=HOLD", timeout=3_000)
    assert "HOLD: Vendor not answering" in board.inner_text("#wr-root")
    frozen = board.inner_text("#wr-clock")
    assert frozen.startswith("T-00:")
    hold_len = board.inner_text("[data-since]")
    wait_for_js(
        board, f"document.querySelector('[data-since]').textContent !== {hold_len!r}", timeout=5_000
    )  # the hold's own length keeps running...
    assert board.inner_text("#wr-clock") == frozen  # ...while the countdown stands still
    assert board.evaluate("window.__same_document") is True


def test_stale_banner_when_polls_fail_and_recovery(
    new_page: NewPage, login_page: LoginPage, live_server: LiveServer, setup: BoardSetup, settings: Settings
) -> None:
    settings.WARROOM_POLL_SECONDS = 1  # the board's poll interval (read when it renders)
    board = new_page()
    board.clock.install()  # the page's clock: the ten seconds of failed polls are moved on, not waited
    _open_board(board, login_page, live_server, setup["coordinator"], setup["plan"])
    assert board.is_hidden("#wr-stale")
    board.route("**/warroom/fragment/**", lambda route: route.abort())
    # A second of the page's time per step: every poll it makes on the way fails (aborted).
    wait_for_js(board, "!document.getElementById('wr-stale').hidden", timeout=20_000, advance_ms=1_000)
    board.wait_for_selector("#wr-stale", state="visible", timeout=20_000)
    assert "STALE" in board.inner_text("#wr-stale")
    board.unroute("**/warroom/fragment/**")
    board.wait_for_selector("#wr-stale", state="hidden", timeout=10_000)
    assert board.evaluate("window.__same_document") is True
