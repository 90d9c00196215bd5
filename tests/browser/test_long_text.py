"""No page scrolls sideways, on a phone (390x844) or a laptop (1366x768): people's text wraps inside its box
however long its words. A plan with unbroken URLs of 200 to 300 characters in its names, notes, summary,
triggers, messages and status updates (tests/browser/longtext.py) made the communications table 4,631 px
wide, the public status page 3,674 px at 390 and the role page far wider; and the demo's own data made the
role page 463 px, an issue page 536 px, the communications page 686 px and the status-page management page
685 px wide at 390. Every <details> is opened first, so what opens in place is measured too; the nav's
Raise issue and each Send now stay on the screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from checklists.models import Gate
from communications.models import Message
from issues.models import Issue
from launch.services.demo import PEOPLE, demo_plan
from plans.models import Plan, Step
from statuspage.models import Incident
from tests import factories
from tests.browser.longtext import first_issue, long_plan
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (1366, 768)]

# How wide the page is, and what (other than in a box that scrolls on purpose) runs past the screen's edge.
MEASURE = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const W = window.innerWidth, out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= W + 1) continue;
    let held = false;
    for (let a = el.parentElement; a && !held; a = a.parentElement) {
      held = getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= W + 1;
    }
    if (!held) out.push(el.tagName.toLowerCase() + "." + el.className + " " + Math.round(r.right));
  }
  return {width: document.documentElement.scrollWidth, out: out.slice(0, 5)};
}"""


@pytest.fixture
def people(db: None) -> dict[str, User]:
    coordinator = factories.UserFactory(username="coordinator", first_name="Casey", last_name="Coordinator")
    found = {"coordinator": coordinator}
    for name, (first, last, _, _) in PEOPLE.items():
        found[name] = factories.UserFactory(username=name, first_name=first, last_name=last)
    return found


def _pages(plan: Plan) -> list[str]:
    base = f"/plans/{plan.slug}/"
    issue = first_issue(plan)
    pages = [
        base,
        f"{base}roles/dba/",
        f"{base}communications/",
        f"{base}status/",
        f"{base}issues/{issue.number}/",
        f"{base}metrics/",
    ]
    if plan.slug != "long":
        return [*pages, f"{base}risks/", f"{base}review/"]
    step = Step.objects.filter(plan=plan).first()
    gate = Gate.objects.get(plan=plan)
    message = Message.objects.filter(plan=plan).first()
    incident = Incident.objects.filter(plan=plan).first()
    assert step and message and incident and Issue.objects.filter(plan=plan).exists()
    return pages + [
        f"{base}roles/long-role/",
        f"{base}steps/{step.pk}/",
        f"{base}gates/{gate.slug}/",
        f"{base}communications/messages/{message.pk}/preview/",
        f"{base}activity/",
        f"{base}issues/",
        f"{base}review/",
        f"/status/{plan.slug}/",
        f"/status/{plan.slug}/incidents/{incident.code}/",
    ]


def test_no_page_scrolls_sideways_with_long_text(
    browser: Any, live_server: LiveServer, login_page: Any, people: dict[str, User]
) -> None:
    coordinator = people["coordinator"]
    demo = demo_plan(coordinator, {k: v for k, v in people.items() if k != "coordinator"})
    plan = long_plan(coordinator, t0=timezone.now() + timedelta(hours=2))
    context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        login_page(page, coordinator)
        wide: list[str] = []
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for path in _pages(plan) + _pages(demo):
                page.goto(live_server.url + path)
                seen = page.evaluate(MEASURE)
                if seen["width"] > width or seen["out"]:
                    wide.append(f"{width}: {path} is {seen['width']} px wide: {seen['out']}")
                if path.endswith("/communications/"):
                    wide += _off_screen(page, ".comm-table button:text-is('Send now')", width, path)
                if width < 600 and path.endswith(("/risks/", "/review/")):  # the risk grid and the tables are cards
                    wide += [f"{width}: {path}: {box} scrolls" for box in page.evaluate(SCROLLING_BOXES)]
                if path.startswith("/plans/"):
                    wide += _off_screen(page, ".plan-nav a.raise-issue", width, path)
                    wide += _off_screen(page, ".plan-nav a[href$='/communications/']", width, path)
            keep(page, f"long-text-{width}.png", full_page=True)
        assert wide == []
    finally:
        context.close()


# The boxes of a page that scroll sideways (their content is wider than they are).
SCROLLING_BOXES = """() => [...document.querySelectorAll("main *")]
  .filter((el) => getComputedStyle(el).overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1)
  .map((el) => el.tagName.toLowerCase() + "." + el.className)"""


# Words (of at most 20 characters) a table cell broke across lines: a column squeezed by its neighbours broke
# "coordinat|or" and "Infrastructu|re" on the demo's issues and review pages at 1366 while the others had room.
BROKEN_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll(".table td, .table th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-–/]{2,20}/g;  // a word: broken only at a space, a hyphen or a slash
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out.slice(0, 5);
}"""


def test_table_cells_keep_their_words_whole_on_a_laptop(
    browser: Any, live_server: LiveServer, login_page: Any, people: dict[str, User]
) -> None:
    coordinator = people["coordinator"]
    demo = demo_plan(coordinator, {k: v for k, v in people.items() if k != "coordinator"})
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        login_page(page, coordinator)
        broken = []
        for tail in ("issues/", "review/", "communications/", "activity/", "risks/"):
            page.goto(f"{live_server.url}/plans/{demo.slug}/{tail}")
            found = page.evaluate(BROKEN_WORDS)
            if found:
                broken.append(f"{tail}: {found}")
        assert broken == []
    finally:
        context.close()


def _off_screen(page: Any, selector: str, width: int, path: str) -> list[str]:
    found = page.locator(selector)
    if not found.count():
        return [f"{width}: {path}: no {selector}"]
    boxes = [found.nth(i).bounding_box() for i in range(min(found.count(), 5))]
    off = [b for b in boxes if b is None or b["x"] < 0 or b["x"] + b["width"] > width]
    return [f"{width}: {path}: {selector} off the screen"] if off else []
