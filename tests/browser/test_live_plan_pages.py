"""The plan page and the activity log are live, in Chromium on a real ASGI server: an item ticked by the
DBA and a hold started by the coordinator (elsewhere) appear on the open plan page (progress, clock, state,
holds) and on the open activity log without a reload within two seconds of the commit, pushed (no fallback
poll); a reason the coordinator is typing on the plan page stays as typed across the swaps. The state in the
nav follows on the plan's other pages too (a role page here)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.utils import timezone

from checklists.services import item_tick
from plans import services
from tests import factories
from tests.browser.pushed import assert_pushed, at_hello
from tests.browser.shots import keep

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from checklists.models import Item
    from plans.models import Plan
    from tests.browser.conftest import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Setup(TypedDict):
    plan: Plan
    coordinator: User
    dba: User
    items: list[Item]


@pytest.fixture
def setup() -> Setup:
    coordinator = factories.UserFactory(username="coord", first_name="Cleo", last_name="Ward")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="go-live", name="Go-live", t0=timezone.now() + timedelta(minutes=20)
    )
    dba = factories.UserFactory(username="dba", first_name="Dana", last_name="Berg")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=dba)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    items = [
        factories.ItemFactory(checklist=checklist, title=title, owner_role=role, due_offset=timedelta(minutes=-5 - i))
        for i, title in enumerate(["Take a full backup", "Freeze the schema", "Drain the queue"])
    ]
    factories.StepFactory(plan=plan, lead_role=role, name="Migrate the database", offset=timedelta(minutes=-10))
    factories.GateFactory(plan=plan, slug="go", name="Go / no-go", authority_role=role)
    return {"plan": plan, "coordinator": coordinator, "dba": dba, "items": items}


def test_a_tick_and_a_hold_appear_on_the_open_plan_page_and_activity_log(new_page: NewPage, setup: Setup) -> None:
    s = setup
    slug = s["plan"].slug
    plan_page = new_page(s["coordinator"], f"/plans/{slug}/", height=900, clock=True)  # run on below
    log = new_page(s["dba"], f"/plans/{slug}/activity/", height=900)
    assert "0 of 3 checklist items done" in plan_page.inner_text("#plan-progress")
    # The coordinator starts typing a reason, then looks elsewhere: the swaps keep what was typed.
    plan_page.fill("#transition-reason", "Half-typed reason")
    plan_page.locator("h1").click()

    before = at_hello(plan_page, log)
    item_tick(s["items"][0], by=s["dba"])  # the DBA, on their own page
    plan_page.wait_for_selector("#plan-progress >> text=1 of 3 checklist items done", timeout=3_000)
    log.wait_for_selector("#activity-live >> text=Take a full backup", timeout=3_000)
    assert_pushed(before, plan_page, log)

    before = at_hello(plan_page, log)
    services.hold_start(s["plan"], by=s["coordinator"], reason="Replica lag above 30 s")  # from another tab
    plan_page.wait_for_selector("#plan-head .clock.is-held >> text=Replica lag above 30 s", timeout=3_000)
    log.wait_for_selector("#activity-live >> text=Replica lag above 30 s", timeout=3_000)
    assert plan_page.locator("#plan-state >> text=End hold and resume").count() == 1
    assert plan_page.locator("#hold-reason").count() == 0  # one hold at a time
    assert plan_page.locator("#plan-state .hold-line").count() == 1
    assert plan_page.input_value("#transition-reason") == "Half-typed reason"
    assert log.locator("#activity-live tbody tr").count() == 2
    for pg in (plan_page, log):  # the nav's state too
        assert pg.inner_text("#nav-state") == "Hold"
        assert pg.locator("#nav-state").count() == 1
    assert_pushed(before, plan_page, log)

    # The clock keeps standing at the hold (clock.js starts what htmx swaps in).
    held = plan_page.inner_text("#plan-head .clock-value")
    plan_page.clock.run_for(1_200)  # 1.2 s of the page's time, every timer in it fired, none waited for
    assert plan_page.inner_text("#plan-head .clock-value") == held
    keep(plan_page, "plan-live-1366.png", full_page=True)
    keep(log, "activity-live-1366.png")


def test_the_nav_state_follows_a_hold_on_an_open_role_page(new_page: NewPage, setup: Setup) -> None:
    """The DBA works the checklist while the coordinator holds the launch elsewhere: the nav's state turns
    HOLD on the DBA's open page, pushed (no poll), with a banner above the rows saying why, and both
    go back when the hold ends (the badge swapped in is live as the first one was)."""
    s = setup
    role_page = new_page(s["dba"], f"/plans/{s['plan'].slug}/roles/dba/", height=800)
    comms = new_page(s["dba"], f"/plans/{s['plan'].slug}/communications/", height=800)  # no live part of its own
    before = role_page.inner_text("#nav-state")
    assert before != "Hold"

    counters = at_hello(role_page, comms)
    services.hold_start(s["plan"], by=s["coordinator"], reason="Replica lag above 30 s")
    role_page.wait_for_selector("#nav-state.state-hold:text-is('Hold')", timeout=3_000)
    role_page.wait_for_selector("#role-hold .hold-banner >> text=Replica lag above 30 s", timeout=3_000)
    assert role_page.locator("#nav-state").count() == 1
    # pushed; the rows' own fetch (live.js) brought the nav's state
    assert_pushed(counters, role_page, swapped=False)
    comms.wait_for_selector("#nav-state.state-hold:text-is('Hold')", timeout=3_000)  # pushed, not the 15 s poll
    assert_pushed(counters, comms)
    keep(role_page, "role-nav-state-1366.png")

    s["plan"].refresh_from_db()
    services.hold_end(s["plan"], by=s["coordinator"])
    # (htmx settles a swapped element's classes a moment after its text: wait for both)
    role_page.wait_for_selector(f"#nav-state:not(.state-hold):text-is('{before}')", timeout=3_000)
    role_page.wait_for_selector("#role-hold .hold-banner", state="detached", timeout=3_000)
