"""The board of an ended launch in the browser: the final state and when it ended where the clock was, and
nothing ticks (no clock, no SLA timer, no "Next" message) while the page stays open; no rollback trigger to
pull. Screenshots: a closed launch's board and an aborted one's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from launch.services.sample import build_sample_plan
from plans import services as ps
from plans.models import PlanStatus, RollbackTrigger, TriggerKind
from review import services as rs
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("ending", ["closed", "aborted"])
def test_an_ended_launch_board_shows_its_end_and_nothing_ticks(
    page: Page, login_page: LoginPage, live_server: LiveServer, ending: str
) -> None:
    plan = build_sample_plan(f"ended-{ending}", items=40, roles=5, steps=12, issues=4)
    coordinator = plan.coordinator
    assert coordinator is not None
    RollbackTrigger.objects.create(plan=plan, description="Payments stuck", kind=TriggerKind.DISCRETIONARY)
    if ending == "closed":
        ps.plan_rebaseline(plan, new_t0=plan.t0 + timedelta(days=2), by=coordinator, reason="set-up")
        ps.plan_launch(plan, by=coordinator, override="set-up")  # launched before T-0, T-0 not moved
        ops = factories.RoleFactory(plan=plan, name="Operations", slug="ops-receiver")
        rs.handoff_propose(plan, by=coordinator, to_role=ops, systems=["Payments"], runbooks=[], contacts=[])
        assert ops.primary is not None
        rs.handoff_accept(plan, by=ops.primary)
    else:
        ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Card processor outage")

    login_page(page, coordinator)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    ended = page.locator("#wr-ended")
    text = ended.inner_text()
    assert plan.get_status_display().upper() in text and "Ended" in text and "the clock has stopped" in text
    assert page.locator("#wr-clock").count() == 0 and page.locator("#wr-root [data-deadline]").count() == 0
    assert page.locator("#wr-pull").count() == 0
    assert "Nothing more is sent" in page.inner_text(".wr-comms")
    board = page.inner_text("#wr-root")
    page.wait_for_timeout(2100)  # two ticks of the browser's clock: nothing on the board moves
    # The local clock ticks on (it is the room's time, not the launch's): read out of both, in one read each (the
    # clock read apart from the board's text could tick between the two reads).
    local = re.compile(r"Local \d\d:\d\d(:\d\d)?")
    assert local.search(board)
    assert local.sub("Local", page.inner_text("#wr-root")) == local.sub("Local", board)
    keep(page, f"board-{ending}-ended.png")
