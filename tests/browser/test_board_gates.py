"""The war-room board's gates panel on a big plan (20 gates): the gates that matter are on screen, not only
"+20 more gates". At 1920x1080 the panel showed no gate at all (or one, the plan's first, long passed its time):
each row took three lines (name, state, counts) and the panel had room for its heading and "+N more" only.
Now the NO-GO gate comes first, then the one being polled, then the pending ones by time; how many passed is
beside the heading, and "+N more gates" counts exactly the gates not shown. With at most one issue open the
gates sit under it, in the third column, and show many more (warroom.selectors.Board.gates_beside_issues)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from checklists.models import Gate, GateStatus
from checklists.services import gate_decide, gate_open_poll
from tests import factories
from tests.browser.big_plan import big_plan
from tests.browser.shots import keep
from tests.browser.waiting import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = ".wr-gates .wr-list > li.gate:visible"


def test_big_board_shows_the_gates_that_matter(
    page: Any, live_server: LiveServer, login_page: Any, settings: Settings
) -> None:
    coordinator = factories.UserFactory(username="coordinator")
    plan = big_plan(coordinator)
    gates = {g.name[:7]: g for g in Gate.objects.filter(plan=plan)}
    gate_decide(gates["Gate 12"], by=coordinator, decision="no_go", reason="Replication lag")
    gate_open_poll(gates["Gate 15"], by=coordinator)
    # A passed gate (its criteria and votes are beside the point here): set as the test's starting state.
    Gate.objects.filter(pk=gates["Gate 01"].pk).update(status=GateStatus.PASSED, decided_at=timezone.now())
    settings.WARROOM_POLL_SECONDS = 1
    login_page(page, coordinator)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    page.wait_for_selector("#wr-root")
    wait_for_js(page, "window.warroom && window.warroom.polls > 0", timeout=10_000)
    wait_for_js(page, "window.warroom.unchanged + window.warroom.swaps + window.warroom.errors > 0", timeout=10_000)
    keep(page, "board-big-gates-1920x1080.png")

    # (One or two rows at 1080p, by what "Next 30 min" and the forecast take above them at the moment the test
    # runs: the next item's title and the forecast's lines change with the time of day; never none.)
    names = page.locator(f"{ROWS} .what").all_inner_texts()
    assert len(names) >= 1, names
    # NO-GO, polling, then the pending ones by time (Gate 02 is due first: T-19h); Gate 01 passed, last.
    assert [n[:7] for n in names] == ["Gate 12", "Gate 15", "Gate 02", "Gate 03"][: len(names)], names
    assert page.locator(f"{ROWS} .pill").all_inner_texts()[:2] == ["NO-GO", "POLLING"][: len(names)]
    more = page.locator(".wr-gates li.more")
    assert more.is_visible()
    assert more.inner_text() == f"+{20 - len(names)} more gates"
    assert page.locator(".wr-gates h2 .wr-sub").inner_text() == "1/20 passed"
    # The rows and "+N more" are inside the panel, the panel inside the screen.
    box = page.evaluate(
        "(() => { const p = document.querySelector('.wr-gates').getBoundingClientRect();"
        " const rows = Array.from(document.querySelectorAll('.wr-gates .wr-list > li:not([hidden])'));"
        " return [p.bottom, Math.max(...rows.map((r) => r.getBoundingClientRect().bottom))]; })()"
    )
    assert box[1] <= box[0] and box[0] <= 1080, box


def _open_board(page: Any, live_server: LiveServer, plan: Any, width: int, height: int) -> None:
    """The plan's board at ``width`` x ``height``, once it has polled (its lists fitted)."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    page.wait_for_selector("#wr-root")
    wait_for_js(page, "window.warroom && window.warroom.polls > 0", timeout=10_000)


def _gate_column(page: Any) -> int:
    """Which of the board's columns holds the gates panel (0, 1, 2)."""
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('#wr-root .wr-grid > .wr-col'))"
            ".findIndex((c) => c.querySelector('.wr-gates'))"
        )
    )


def test_with_one_issue_open_the_gates_take_the_issues_room(
    page: Any, live_server: LiveServer, login_page: Any, settings: Settings
) -> None:
    """The big plan with one issue open: its gates sit under the issue and show several rows at 1080p and 720p
    (under "Next 30 min" and the forecast they had room for one or two); a second issue sends them back to the
    first column at the board's next poll, every panel still in its box."""
    from issues.services import issue_open

    coordinator = factories.UserFactory(username="coordinator")
    plan = big_plan(coordinator, issues=1)
    settings.WARROOM_POLL_SECONDS = 1
    login_page(page, coordinator)
    for width, height in ((1920, 1080), (1280, 720)):
        _open_board(page, live_server, plan, width, height)
        if width == 1920:
            keep(page, "board-big-one-issue-1920x1080.png")
        assert _gate_column(page) == 2
        shown = page.locator(ROWS).count()
        assert shown >= 4, f"{width}x{height}: {shown} gates"
        assert page.locator(".wr-gates li.more").inner_text() == f"+{20 - shown} more gates"
        assert page.locator(".wr-issues li.issue:visible").count() == 1
        box = page.evaluate(
            "(() => { const p = document.querySelector('.wr-gates').getBoundingClientRect();"
            " const rows = Array.from(document.querySelectorAll('.wr-gates .wr-list > li:not([hidden])'));"
            " return [p.bottom, Math.max(...rows.map((r) => r.getBoundingClientRect().bottom))]; })()"
        )
        assert box[1] <= box[0] <= height, box

    issue_open(plan, by=coordinator, title="Checkout latency in eu-west-2", severity="high")
    wait_for_js(page, "document.querySelectorAll('.wr-issues li.issue').length === 2", timeout=10_000)
    assert _gate_column(page) == 0
    assert page.locator(ROWS).count() >= 1
    assert page.locator(".wr-issues li.issue:visible").count() == 2


def test_a_real_plans_gate_is_on_screen_beside_its_forecast(
    page: Any, live_server: LiveServer, login_page: Any, settings: Settings
) -> None:
    """The Midas go-live three hours after T-0 with nobody assigned, two issues open and a step at risk: its
    gates (under "Next 30 min" and the forecast) read "+3 more gates" and no gate at every size, the
    forecast and the gates giving up room with "Next 30 min" (by size, as flex shrinks) so a gate's row never
    fitted. Only "Next 30 min" gives up room now; the first gate (T-0 Launch Authorization, overdue) shows."""
    from datetime import timedelta

    from issues.services import issue_open
    from launch.format import template_text
    from launch.services.importer import import_plan_text
    from plans.models import Plan, PlanStatus

    coordinator = factories.UserFactory(username="coordinator")
    t0 = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3, minutes=15)
    plan = import_plan_text(
        template_text("midas-lifestyle"), filename="midas.yaml", t0=t0, tz="Europe/London", coordinator=coordinator
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)
    for title in ("Checkout errors after the payment switch", "Slow search on the catalogue"):
        issue_open(plan, by=coordinator, title=title, severity="high")
    settings.WARROOM_POLL_SECONDS = 1
    login_page(page, coordinator)
    for width, height in ((1920, 1080), (1280, 720)):
        _open_board(page, live_server, plan, width, height)
        assert _gate_column(page) == 0
        rows = page.locator(f"{ROWS} .what").all_inner_texts()
        assert rows[:1] == ["T-0 Launch Authorization"], (width, rows)
        if width == 1920:
            keep(page, "board-midas-gates-1920x1080.png")
