"""The timeline at 1366x768, on a big plan: no text is drawn over other text. The step's name ran over its day
("SatInfrastructure prepara…": the day gave way, its letters spilling under the name) and the gate labels along
the top ran into each other ("◆ K ◆ Gat ◆ Gat ◆ Gate 20 readiness check"). Now the day stays whole and the name
gives way; a gate label that would run into another stands on a lower line or is shortened, its whole name in
its tooltip; the gates with no room on any line are gathered ("◆ 17 gates", their names in its tooltip: they
showed "◆" or nothing), and the labels stand in a lane of their own above the steps (they covered the first
steps' bars). At every size: the "now" label stands on one line (it stood one letter a line), and a
series' "↻ 97×" stays whole beside its name (it ran under it)."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from launch.services.demo import PEOPLE, demo_plan
from tests import factories
from tests.browser.big_plan import big_plan
from tests.browser.shots import keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]

# Pairs of texts that overlap: the gate labels among themselves, and the parts of each step's label.
OVERLAPS = """() => {
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const out = [];
  const labels = ".tl-gate > span, .tl-now > span, .tl-window > span";
  const groups = [[...document.querySelectorAll(labels)].filter((s) => s.getClientRects().length)];
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
  const first = document.querySelector(".tl-row.tl-phase, .tl-row[id^='tl-step-']");
  for (const span of groups[0]) {  // the gates' labels stand in their lane, above the steps and their bars
    const bottom = span.getBoundingClientRect().bottom;
    if (span.closest(".tl-gate") && first && bottom > first.getBoundingClientRect().top + 0.5) {
      out.push("over the steps: " + span.textContent.trim());
    }
  }
  for (const span of groups[0]) {  // on one line, never one letter a line
    const box = span.getBoundingClientRect();
    if (span.getClientRects().length !== 1 || box.height > 2 * parseFloat(getComputedStyle(span).fontSize)) {
      out.push("wrapped: " + span.textContent.trim());
    }
  }
  return out;
}"""

# The gates named by the labels shown: in their text, or in a shortened or gathered label's tooltip.
NAMED = """() => {
  const names = new Set();
  for (const span of document.querySelectorAll(".tl-gate > span")) {
    if (!span.getClientRects().length) continue;
    span.title.split("\\n").forEach((n) => names.add(n));
    names.add(span.textContent.replace(/^◆\\s*/, "").replace(/ ✓$/, ""));
  }
  return [...names].sort();
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
        # Every gate is named by a label shown (seventeen showed "◆" or nothing).
        gates = [f"Gate {g + 1:02d} readiness check" for g in range(20)]
        assert set(gates) <= set(page.evaluate(NAMED)), page.evaluate(NAMED)
        days = page.locator(".tl-step .tl-day").all_inner_texts()
        assert days and all(d in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} for d in days)
    finally:
        context.close()


def test_timeline_labels_at_every_size(page: Any, live_server: LiveServer, login_page: Any) -> None:
    """The demo launch (a recurring health check, an on-call rota, a gate passed, now before T-0) and the big
    plan, at the four sizes: no label over another, "now" on one line, every gate named by a label shown."""
    coordinator = factories.UserFactory(username="coordinator")
    people = {
        name: factories.UserFactory(username=name, first_name=first, last_name=last)
        for name, (first, last, _, _) in PEOPLE.items()
    }
    demo = demo_plan(coordinator, people)
    big = big_plan(coordinator)
    login_page(page, coordinator)
    for width, height in SIZES:
        size = f"{width}x{height}"
        page.set_viewport_size({"width": width, "height": height})
        for plan in (demo, big):
            page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
            page.wait_for_selector(".tl-gate > span")
            page.wait_for_timeout(300)  # laid out in an animation frame after load
            keep(page, f"timeline-{plan.slug}-{size}.png", full_page=True)
            assert page.evaluate(OVERLAPS) == [], f"{plan.slug} {size}"
            assert page.locator(".tl-now > span:visible").count() == 1, f"{plan.slug} {size}"
            shown = set(page.evaluate(NAMED))
            assert set(plan.gates.values_list("name", flat=True)) <= shown, f"{plan.slug} {size}: {shown}"
