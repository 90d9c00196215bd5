"""The board fits its panels to the room the head and the foot leave, and fits them again when those change
height with no swap or resize: a ticking timer's text that grows a digit and wraps its line, the clock's long
face, the stale banner. Fitted once on load, a panel kept rows fitted to room it no longer had (cut off at the
screen's edge), or hid rows it had room for ("Who owns what" showed one role at 1280x720 in one run of five)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from launch.services.sample import build_sample_plan
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES_SHOWN = "document.querySelectorAll('.wr-roles .wr-list > li.role:not([hidden])').length"
# Every fitted panel's lowest row shown (or its "+N more") inside the panel.
ALL_FIT = """(() => Array.from(document.querySelectorAll('#wr-root [data-fit]')).every((panel) => {
  const rows = Array.from(panel.querySelectorAll('.wr-list > li')).filter((li) => !li.hidden);
  const limit = panel.getBoundingClientRect().bottom + 0.5;
  return rows.every((li) => li.getBoundingClientRect().bottom <= limit);
}))()"""
GROW_FOOT = """(() => {
  const extra = document.createElement('div');
  extra.id = 'extra-lines';
  for (let i = 0; i < 4; i++) {
    extra.append('a line the foot did not have');
    extra.append(document.createElement('br'));
  }
  document.querySelector('#wr-root .wr-foot').append(extra);
})()"""


def test_the_panels_are_fitted_again_when_the_foot_grows_and_shrinks(
    page: Page, login_page: LoginPage, live_server: LiveServer
) -> None:
    plan = build_sample_plan("refit", items=60, roles=12, steps=8, issues=2)
    assert plan.coordinator is not None
    page.set_viewport_size({"width": 1280, "height": 720})
    login_page(page, plan.coordinator).goto(f"{live_server.url}/plans/{plan.slug}/warroom/")
    wait_for_js(page, f"{ROLES_SHOWN} >= 2")
    before = page.evaluate(ROLES_SHOWN)
    assert page.evaluate(ALL_FIT)
    page.evaluate(GROW_FOOT)  # no swap, no resize: the foot is four lines taller
    wait_for_js(page, f"{ROLES_SHOWN} < {before}")
    assert page.evaluate(ALL_FIT)
    page.evaluate("document.getElementById('extra-lines').remove()")
    wait_for_js(page, f"{ROLES_SHOWN} === {before}")
    assert page.evaluate(ALL_FIT)
