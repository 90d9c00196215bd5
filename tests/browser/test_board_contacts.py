"""The board's "Who to call" strip on a kiosk shows every contact whole: the person's name and the full
phone number, at 1920x1080 and at 1280x720. It cut them ("☎ +44 20 7", "Support Lead S…"): a line was one
line whatever its length, and what did not fit was clipped. Now a long contact wraps (and has the strip's
page to itself), the footer stands level with the strip, so the strip covers none of the panels above it,
and nothing scrolls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from launch.services.importer import import_plan_text
from plans.kiosk import kiosk_token
from tests import factories
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = """format: 1
name: Phone test
roles:
  - name: Database Administrator
    primary: dba
    phone: "+44 20 7946 0000"
  - name: Support Lead
    primary: support
    phone: "+1 415 555 0100"
  - name: Customer Communications and Social Media Lead
    primary: comms
    email: customer-communications-escalations@heypeter-academy.example.com
checklists:
  - name: C
    role: Support Lead
    items:
      - {title: X, due: T-1h}
"""

# Each line of the strip shown: its text, and whether any part of it runs out of the line, the line out of
# the strip, or the strip over the panels above it (or off the screen).
STRIP = """() => {
  const panel = document.getElementById("wr-contacts").getBoundingClientRect();
  const grid = document.querySelector(".wr-grid").getBoundingClientRect();
  const lines = [...document.querySelectorAll("#wr-contacts .wr-ct")].filter((li) => !li.hidden);
  const out = [];
  for (const li of lines) {
    const box = li.getBoundingClientRect();
    for (const el of [li, ...li.querySelectorAll("*")]) {
      const r = el.getBoundingClientRect();
      const block = getComputedStyle(el).display !== "inline";
      if (block && el.scrollWidth > el.clientWidth + 1) out.push("clips " + el.className);
      if (r.left < box.left - 1 || r.right > box.right + 1) out.push("outside " + el.className);
    }
    if (box.left < panel.left || box.right > panel.right || box.bottom > panel.bottom + 1) out.push("off the strip");
  }
  const doc = document.documentElement;
  return {lines: lines.map((li) => li.innerText.split(/\\s+/).join(" ")), out,
          over: panel.top < grid.bottom, screen: panel.bottom <= window.innerHeight && panel.right <= window.innerWidth,
          scroll: doc.scrollWidth > window.innerWidth || doc.scrollHeight > window.innerHeight};
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_the_kiosk_strip_shows_whole_names_and_numbers(
    browser: Any, live_server: LiveServer, size: tuple[int, int]
) -> None:
    coordinator = factories.UserFactory(username="coord")
    for username, first, last in [("dba", "Dana", "Base"), ("support", "Sam", "Support"), ("comms", "Cleo", "Comms")]:
        factories.UserFactory(username=username, first_name=first, last_name=last)
    plan = import_plan_text(PLAN, t0=timezone.now() + timedelta(hours=2), tz="Europe/London", coordinator=coordinator)
    link = factories.KioskLinkFactory(plan=plan, created_by=coordinator)
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.clock.install()  # the strip turns to the next page when the test says so
        page.goto(f"{live_server.url}/kiosk/{kiosk_token(link)}/")
        page.wait_for_selector("#wr-contacts .wr-ct")
        seen: list[str] = []
        pages = page.locator("[data-ct-page]").inner_text().split("/")[-1]
        for turn in range(int(pages or 1)):
            shown = page.evaluate(STRIP)
            assert shown["out"] == [] and not shown["over"] and shown["screen"] and not shown["scroll"], shown
            seen += shown["lines"]
            if turn == 0:
                keep(page, f"contacts-kiosk-{width}x{height}.png")
            page.clock.run_for(8_000)
        email = "✉ customer-communications-escalations@heypeter-academy.example.com"
        assert seen == [
            "Database Administrator Dana Base ☎ +44 20 7946 0000",
            "Support Lead Sam Support ☎ +1 415 555 0100",
            f"Customer Communications and Social Media Lead Cleo Comms {email}",
        ]
    finally:
        context.close()
