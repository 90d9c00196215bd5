"""The push channel in Chromium, on a real ASGI server: a tick by the backup on their role page appears
on the primary's open role page and on the board without a reload and without a single fallback poll
once their streams are up;
killing the streams falls back to polling (the next tick still arrives), and the pages go back to push
when the streams return, fetching once on reconnect. Asserted in events and polls, never in seconds."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.pushed import assert_pushed, at_hello
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Page
    from pytest_django import Settings

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role
    from tests.asgi_server import AsgiServer
    from tests.browser.conftest import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Setup(TypedDict):
    plan: Plan
    coordinator: User
    primary: User
    backup: User
    role: Role
    items: list[Item]


@pytest.fixture
def setup() -> Setup:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(minutes=20)
    )
    primary = factories.UserFactory(username="primary")
    backup = factories.UserFactory(username="backup")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=primary, backup=backup)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    items = [
        factories.ItemFactory(checklist=checklist, title=title, due_offset=timedelta(minutes=-5 - i))
        for i, title in enumerate(["Take a full backup", "Freeze the schema", "Drain the queue"])
    ]
    return {
        "plan": plan,
        "coordinator": coordinator,
        "primary": primary,
        "backup": backup,
        "role": role,
        "items": items,
    }


def _tick(page: Page, item: Item) -> None:
    page.click(f"#item-{item.pk} button[data-action=tick]")
    page.wait_for_selector(f"#item-{item.pk}.row-done")


FROZEN_IN_ACTIVITY = "document.querySelector('.wr-activity').textContent.includes('Ticked “Freeze the schema”')"


def test_a_tick_is_pushed_to_the_other_holders_page_and_the_board_and_polling_takes_over_when_the_stream_dies(
    new_page: NewPage, asgi_server: AsgiServer, setup: Setup, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("warroom.buckets.BUCKET_SECONDS", 10**9)  # only the ticks change the board
    settings.WARROOM_POLL_SECONDS = 1  # the board's fallback poll (read when it renders)
    s = setup
    role_path = f"/plans/{s['plan'].slug}/roles/{s['role'].slug}/"
    # The pages' clocks are installed and moved on while they wait for the fallback: their polls and their
    # reconnect back-off (1, 2, 4… s) run as they would, without the idle seconds.
    primary = new_page(s["primary"], role_path, clock=True)
    board = new_page(s["coordinator"], f"/plans/{s['plan'].slug}/warroom/", clock=True)
    backup = new_page(s["backup"], role_path, clock=True)
    first, second, third = s["items"]

    # Pushed: the change arrives with a "rev" event and no fallback poll at all, counted from each page's hello
    # (tests/browser/pushed.py: the board polls every second here until its stream is up).
    before = at_hello(primary, board, backup)
    _tick(backup, first)
    primary.wait_for_selector(f"#item-{first.pk}.row-done")
    board.wait_for_selector(".wr-activity >> text=Ticked “Take a full backup”")
    assert_pushed(before, primary, board, swapped=False)
    assert board.locator("#wr-stale").is_hidden()
    # The board came in the event itself (live.push): swapped in, not fetched; the role page fetched its rows.
    assert board.evaluate("window.warroom.pushes") >= 1
    assert board.evaluate("window.lcLive.pushed") >= 1 and board.evaluate("window.lcLive.fetches") == 0
    assert primary.evaluate("window.lcLive.fetches") >= 1

    # The streams die and the server refuses new ones (a proxy that cannot stream): the pages poll.
    settings.LIVE_STREAMS = False
    asgi_server.close_streams()
    wait_for_js(primary, "window.lcLive.mode === 'poll' && window.lcLive.polls >= 1", advance_ms=1_000)
    polls_before = primary.evaluate("window.lcLive.polls")
    _tick(backup, second)
    wait_for_js(primary, f"document.querySelector('#item-{second.pk}.row-done')", timeout=20_000, advance_ms=1_000)
    primary.wait_for_selector(f"#item-{second.pk}.row-done", timeout=20_000)
    assert primary.evaluate("window.lcLive.polls") > polls_before  # it came by a poll
    assert primary.evaluate("window.lcLive.mode") == "poll"
    wait_for_js(board, "window.lcLive.mode === 'poll' && window.lcLive.polls >= 1", advance_ms=1_000)
    wait_for_js(board, FROZEN_IN_ACTIVITY, timeout=20_000, advance_ms=1_000)
    board.wait_for_selector(".wr-activity >> text=Ticked “Freeze the schema”", timeout=20_000)
    assert board.locator("#wr-stale").is_hidden()  # polls succeed: the board is not stale

    # The streams come back: each page reconnects (backing off), fetches once and stops polling; the backup's
    # too, before it ticks again (its tick's row once did not turn done within 10 s on a loaded machine while
    # its page was still between polls and reconnects: that is the fallback's business, tested above).
    settings.LIVE_STREAMS = True
    for pg in (primary, board, backup):
        wait_for_js(pg, "window.lcLive.mode === 'push' && window.lcLive.hellos >= 2", timeout=40_000, advance_ms=1_000)
    # The reconnects' fetches are back before the tick: Django runs every synchronous view of the ASGI server in
    # one thread, so the tick's request would wait behind them (on a busy machine its row once stayed open 10 s).
    for pg in (primary, board, backup):
        wait_for_js(pg, "!document.querySelector('.htmx-request')", timeout=20_000)
    polls = primary.evaluate("window.lcLive.polls")
    _tick(backup, third)
    primary.wait_for_selector(f"#item-{third.pk}.row-done")
    wait_for_js(board, "document.querySelector('.wr-activity').textContent.includes('Drain the queue')")
    assert primary.evaluate("window.lcLive.polls") == polls  # pushed again, not polled
    assert board.evaluate("window.warroom.pushes") >= 2  # the board pushed again after the reconnect
    assert primary.evaluate("window.__same_document") is True
