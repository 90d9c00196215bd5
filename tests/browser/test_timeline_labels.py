"""The timeline at 1366x768, on a big plan: no text is drawn over other text. The step's name ran over its day
("SatInfrastructure prepara…": the day gave way, its letters spilling under the name) and the gate labels along
the top ran into each other ("◆ K ◆ Gat ◆ Gat ◆ Gate 20 readiness check"). Now the day stays whole and the name
gives way; a gate label that would run into another stands on a lower line or is shortened, its whole name in
its tooltip."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from tests import factories
from tests.browser.big_plan import big_plan
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pairs of texts that overlap: the gate labels among themselves, and the parts of each step's label.
OVERLAPS = """() => {
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const out = [];
  const groups = [[...document.querySelectorAll(".tl-gate > span")].filter((s) => s.getClientRects().length)];
  document.querySelectorAll(".tl-step").forEach((row) => groups.push([...row.children]));
  for (const group of groups) {
    const boxes = group.map((el) => el.getBoundingClientRect());
    for (let i = 0; i < group.length; i++) {
      if (group[i].scrollWidth > group[i].clientWidth + 1 && !group[i].classList.contains("tl-name")) {
        out.push("cut: " + group[i].textContent.trim());
      }
      for (let j = i + 1; j < group.length; j++) {
        if (hit(boxes[i], boxes[j])) out.push(group[i].textContent.trim() + " × " + group[j].textContent.trim());
      }
    }
  }
  return out;
}"""


def test_timeline_texts_never_overlap(browser: Any, live_server: LiveServer, login_page: Any) -> None:
    coordinator = factories.UserFactory(username="coordinator")
    plan = big_plan(coordinator)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        login_page(page, coordinator)
        page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
        page.wait_for_selector(".tl-gate > span")
        page.wait_for_timeout(300)  # laid out in an animation frame after load
        keep(page, "timeline-big-1366.png")
        assert page.evaluate(OVERLAPS) == []
        # Every gate on the axis is named in full in its label's tooltip, and some labels are shown.
        titles = page.eval_on_selector_all(".tl-gate > span", "els => els.map((e) => e.title)")
        assert titles and all(t.startswith("Gate ") and t.endswith("readiness check") for t in titles), titles
        assert page.locator(".tl-gate > span:visible").count() >= 2
        days = page.locator(".tl-step .tl-day").all_inner_texts()
        assert days and all(d in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} for d in days)
    finally:
        context.close()
