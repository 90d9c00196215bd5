"""Live pages stay right whatever order the network brings things in: a role page's rows when a change reaches
them while a tick of the reader's own is on its way (static/js/live.js, whose rules hold for every live part of
a page: the role page's rows, its readiness section...), and the war-room board when a poll and a push cross.

- A change pushed while your tick is on its way (the backup ticks another item) was held back, so as not to
  land under your fingers, and then never fetched: the page showed it only at the next change. It is fetched
  once your tick is back.
- A fetch of the rows that left before your tick, and came back after it, swapped in the rows as they were
  before it: your tick turned undone on the screen. It is thrown away and made again.
- A change pushed while a live part's own fetch was on its way was dropped: the part showed the change before
  it until the next one.
- A change pushed to a tab in the background was not fetched, and not when the tab was shown again either.
- A change pushed while the reader had a row's note open swaps the rows only once the note is closed; a step's
  runbook the reader has open (nothing to fill in) stays open as the rows change under it.
- The war-room board: a poll answered after a newer board was pushed swapped the older board in
  (static/js/warroom.js).

The network is held with Playwright's routes, so each order of events happens every time, not by chance."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.db import transaction
from django.utils import timezone

from checklists.services import item_tick
from tests import factories
from tests.browser.waiting import wait_for_js
from tests.browser.walkthrough import until

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

    from tests.browser.conftest import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set on every change of the row once it is done: it turned undone on the screen at some moment.
WATCH_UNDONE = """(id) => {
  window.__undone = false;
  const seen = () => {
    const row = document.getElementById(id);
    if (row && !row.classList.contains("row-done")) window.__undone = true;
  };
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, attributes: true, attributeFilter: ["class"]});
}"""


def _setup() -> dict[str, Any]:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live", t0=timezone.now() + timedelta(hours=2))
    primary, backup = factories.UserFactory(username="primary"), factories.UserFactory(username="backup")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=primary, backup=backup)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    items = [
        factories.ItemFactory(checklist=checklist, title=title, due_offset=timedelta(minutes=-30 - i))
        for i, title in enumerate(["Take a full backup", "Freeze the schema"])
    ]
    return {"plan": plan, "primary": primary, "backup": backup, "items": items, "path": "/plans/go-live/roles/dba/"}


def _readiness_items(s: dict[str, Any]) -> list[Any]:
    """Two readiness items of the DBA role (its page's "Readiness" section, a live part of static/js/live.js)."""
    from readiness.models import ReadinessItem
    from roles.models import Role

    role = Role.objects.get(plan=s["plan"], slug="dba")
    return [
        ReadinessItem.objects.create(plan=s["plan"], role=role, order=n, title=title)
        for n, title in enumerate(["Restore drill done", "Runbook reviewed"], start=1)
    ]


def test_a_change_pushed_while_your_tick_is_on_its_way_shows_once_it_is_back(new_page: NewPage) -> None:
    s = _setup()
    mine, theirs = s["items"]
    page = new_page(s["primary"], s["path"])
    held: list[tuple[Route, Any]] = []

    def hold_the_answer(route: Route) -> None:
        held.append((route, route.fetch()))  # the server has done the tick; the page has not heard back yet

    page.route(f"**/items/{mine.pk}/", hold_the_answer)
    revs = page.evaluate("window.lcLive.revs")
    page.click(f"#item-{mine.pk} button[data-action=tick]")
    until(lambda: held, "the tick to reach the server", timeout=10, page=page)
    with transaction.atomic():
        item_tick(theirs, by=s["backup"])  # the backup, elsewhere
    wait_for_js(page, f"window.lcLive.revs >= {revs + 2}")  # both changes were pushed while the tick was away
    assert page.locator(f"#item-{theirs.pk}.row-done").count() == 0  # held back: the tick's form was busy
    route, answer = held[0]
    route.fulfill(response=answer)
    page.wait_for_selector(f"#item-{mine.pk}.row-done")
    page.wait_for_selector(f"#item-{theirs.pk}.row-done", timeout=5_000)  # fetched once the tick was back
    assert page.evaluate("window.lcLive.deferred") >= 1
    assert page.evaluate("window.__same_document") is True


def _a_fetch_from_before_the_tick(page: Page, part: str, theirs: str, mine: str, tick: str, change: Any) -> None:
    """The order that undid a tick: ``change`` (someone else's, pushed) makes the page fetch ``part`` (a URL
    pattern), whose answer is held; the reader ticks the row ``mine`` (with the button ``tick``) and it turns
    done; then the held answer, the rows from before the tick, comes back. ``theirs`` is the other person's
    row: done once the part is fetched again. Asserts the reader's row never turned undone on the screen."""
    held: list[tuple[Route, Any]] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))  # the part as it is now, before the tick

    page.route(part, hold_the_first)
    change()  # pushed: the page fetches the part ...
    until(lambda: held, "the part's fetch to reach the server", timeout=10, page=page)
    page.click(f"#{mine} button[data-action={tick}]")
    page.wait_for_selector(f"#{mine}.row-done")
    page.evaluate(WATCH_UNDONE, mine)
    route, before_the_tick = held[0]
    assert before_the_tick.status == 200
    route.fulfill(response=before_the_tick)  # ... and it comes back after the tick
    page.wait_for_selector(f"#{theirs}.row-done")  # (thrown away and fetched again)
    wait_for_js(page, "!document.querySelector('.htmx-request')")
    assert page.evaluate("window.__undone") is False, "the tick turned undone on the screen"
    assert page.locator(f"#{mine}.row-done").count() == 1
    assert page.evaluate("window.__same_document") is True


def test_a_fetch_that_left_before_your_tick_does_not_undo_it(new_page: NewPage) -> None:
    s = _setup()
    mine, theirs = s["items"]
    page = new_page(s["primary"], s["path"])

    def change() -> None:
        with transaction.atomic():
            item_tick(theirs, by=s["backup"])

    _a_fetch_from_before_the_tick(page, "**/roles/dba/rows/", f"item-{theirs.pk}", f"item-{mine.pk}", "tick", change)
    assert page.evaluate("window.lcLive.deferred") >= 1


def test_the_same_for_a_live_part_a_readiness_tick_is_not_undone(new_page: NewPage) -> None:
    """The role page's readiness section is a live part of static/js/live.js (conditional fetches): a fetch of
    it that left before your readiness tick is thrown away, not swapped in over the tick."""
    from readiness.services import readiness_item_set

    s = _setup()
    mine, theirs = _readiness_items(s)
    page = new_page(s["primary"], s["path"])
    _a_fetch_from_before_the_tick(
        page,
        "**/roles/dba/readiness/",
        f"ritem-{theirs.pk}",
        f"ritem-{mine.pk}",
        "readiness-tick",
        lambda: readiness_item_set(theirs, by=s["backup"], done=True),
    )
    assert page.evaluate("window.lcLive.deferred") >= 1


def test_a_change_pushed_while_the_parts_own_fetch_is_on_its_way_is_fetched_once_it_is_back(
    new_page: NewPage,
) -> None:
    """A live part of static/js/live.js is swapped whole (outerHTML): a second change pushed while the part's
    fetch for the first was on its way was queued by htmx on the element that fetch then replaced, and so
    dropped; the page showed the first change only, until the next one (or the 30 s safety fetch)."""
    from readiness.services import readiness_item_set

    s = _setup()
    first, second = _readiness_items(s)
    page = new_page(s["primary"], s["path"])
    held: list[tuple[Route, Any]] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))  # the section as it is now: the first change only

    page.route("**/roles/dba/readiness/", hold_the_first)
    revs = page.evaluate("window.lcLive.revs")
    readiness_item_set(first, by=s["backup"], done=True)  # pushed: the page fetches the section ...
    until(lambda: held, "the section's fetch to reach the server", timeout=10, page=page)
    readiness_item_set(second, by=s["backup"], done=True)  # ... and this is pushed while that fetch is away
    wait_for_js(page, f"window.lcLive.revs >= {revs + 2}")
    route, answer = held[0]
    assert answer.status == 200
    route.fulfill(response=answer)
    page.wait_for_selector(f"#ritem-{first.pk}.row-done")
    page.wait_for_selector(f"#ritem-{second.pk}.row-done", timeout=5_000)  # fetched once the first was back
    assert page.locator("#readiness-count").inner_text() == "2 of 2 done"
    assert page.evaluate("window.__same_document") is True


# The page's visibility as the browser would report it for a tab in the background, and back.
SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_change_pushed_to_a_tab_in_the_background_shows_when_it_is_shown(new_page: NewPage) -> None:
    """A hidden tab does not fetch its rows (a laptop with twenty tabs open); the change it was told of is
    fetched when the tab is shown again, not at the next change."""
    s = _setup()
    theirs = s["items"][1]
    page = new_page(s["primary"], s["path"])
    revs = page.evaluate("window.lcLive.revs")
    page.evaluate(SET_VISIBILITY, "hidden")
    with transaction.atomic():
        item_tick(theirs, by=s["backup"])
    wait_for_js(page, f"window.lcLive.revs > {revs}")
    page.wait_for_timeout(300)
    assert page.locator(f"#item-{theirs.pk}.row-done").count() == 0  # not fetched while hidden
    page.evaluate(SET_VISIBILITY, "visible")
    page.wait_for_selector(f"#item-{theirs.pk}.row-done", timeout=5_000)


def test_a_change_pushed_while_your_note_is_open_waits_until_you_close_it(new_page: NewPage) -> None:
    """A row's note opened to be written (its <details>; the focus on its summary, not yet in the text box) is
    not swapped away under the reader by a change pushed meanwhile: the change is fetched when the note closes."""
    s = _setup()
    mine, theirs = s["items"]
    page = new_page(s["primary"], s["path"])
    page.click(f"#item-{mine.pk} details.note-edit summary")
    revs = page.evaluate("window.lcLive.revs")
    with transaction.atomic():
        item_tick(theirs, by=s["backup"])
    wait_for_js(page, f"window.lcLive.revs > {revs}")
    page.wait_for_timeout(300)
    assert page.locator(f"#item-{theirs.pk}.row-done").count() == 0  # held back: the note is open
    assert page.locator(f"#item-{mine.pk} details.note-edit[open]").count() == 1
    page.click(f"#item-{mine.pk} details.note-edit summary")  # closed without writing
    page.wait_for_selector(f"#item-{theirs.pk}.row-done", timeout=5_000)
    assert page.evaluate("window.lcLive.deferred") >= 1
    assert page.evaluate("window.__same_document") is True


def test_a_runbook_you_are_reading_stays_open_while_the_rows_change(new_page: NewPage) -> None:
    """A step's runbook opened on the role page (no form in it: nothing to hold back for) stays open when a
    change pushed meanwhile swaps the rows in, and the change shows."""
    s = _setup()
    theirs = s["items"][1]
    step = factories.StepFactory(
        plan=s["plan"], name="Fail over", lead_role=s["items"][0].checklist.role, action="Promote the replica"
    )
    page = new_page(s["primary"], s["path"])
    detail = f"#step-{step.pk} details.step-detail"
    page.click(f"{detail} summary")
    with transaction.atomic():
        item_tick(theirs, by=s["backup"])
    page.wait_for_selector(f"#item-{theirs.pk}.row-done", timeout=5_000)  # swapped in, not held back
    page.wait_for_timeout(100)  # the part's own script puts back what was open
    assert page.locator(detail).evaluate("d => d.open") is True
    assert "Promote the replica" in page.locator(detail).inner_text()


def test_the_board_keeps_a_pushed_board_over_an_older_poll_answered_after_it(new_page: NewPage) -> None:
    """The war-room board: a poll that left before a newer board was pushed, and was answered after it, showed
    the older board until the next change (the backup's second tick gone from the big screen)."""
    s = _setup()
    first, second = s["items"]
    board = new_page(s["plan"].coordinator, "/plans/go-live/warroom/", width=1920, height=1080)
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)  # on its way: it reaches the server below

    board.route("**/warroom/fragment/**", hold_the_first)
    board.evaluate("htmx.trigger('#board', 'wr:poll')")  # a poll leaves (a fallback, a screen coming back)
    until(lambda: held, "the board's poll to leave", timeout=10, page=board)
    with transaction.atomic():
        item_tick(first, by=s["backup"])
    board.wait_for_selector(".wr-activity >> text=Ticked “Take a full backup”")  # pushed
    older = held[0].fetch()  # the poll reaches the server now: the board after the first tick
    assert older.status == 200
    with transaction.atomic():
        item_tick(second, by=s["backup"])
    board.wait_for_selector(".wr-activity >> text=Ticked “Freeze the schema”")  # pushed, newer
    held[0].fulfill(response=older)  # the poll's answer, from before the second tick, comes back last
    wait_for_js(board, "!document.querySelector('.htmx-request')")
    board.wait_for_timeout(200)
    assert "Freeze the schema" in board.locator(".wr-activity").inner_text(), "the older board was shown"
    assert board.evaluate("window.warroom.older") >= 1
