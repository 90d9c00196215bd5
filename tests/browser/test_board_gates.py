"""The war-room board's gates panel on a big plan (20 gates): the gates that matter are on screen, not only
"+20 more gates". At 1920x1080 the panel showed no gate at all (or one, the plan's first, long passed its time):
each row took three lines (name, state, counts) and the panel had room for its heading and "+N more" only.
Now the NO-GO gate comes first, then the one being polled, then the pending ones by time; how many passed is
beside the heading, and "+N more gates" counts exactly the gates not shown."""

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
