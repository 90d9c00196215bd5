"""Text on the pages people work on meets WCAG AA contrast (4.5:1, 3:1 for large text) against what is behind
it. The green of "Done", "GO", "Sent" and the nav's state badge was 4.43:1 on its pale green (axe flagged it on
eight pages); the war-room board has its own audit (test_board_fit.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from launch.services.demo import PEOPLE, demo_plan
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element with text of its own: its colour against the first opaque background behind it (opacity of the
# element and its ancestors applied to the text colour's alpha). Large text: 24 px, or 18.66 px bold.
LOW_CONTRAST = """() => {
  const rgb = (s) => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("[hidden], [aria-hidden=true], option")) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || el.matches(":disabled")) continue;
    const bg = background(el), fg = rgb(cs.color);
    let alpha = fg.a;
    for (let e = el; e; e = e.parentElement) alpha *= parseFloat(getComputedStyle(e).opacity);
    const mix = (f, b) => f * alpha + b * (1 - alpha);
    const seen = {r: mix(fg.r, bg.r), g: mix(fg.g, bg.g), b: mix(fg.b, bg.b)};
    const [a, b] = [lum(seen), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const px = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const need = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < need) out.push(`${el.tagName.toLowerCase()}.${el.className} "${text}" ${ratio.toFixed(2)}`);
  }
  return out.slice(0, 8);
}"""


def test_the_working_pages_meet_aa_contrast(browser: Any, live_server: LiveServer, login_page: Any) -> None:
    coordinator = factories.UserFactory(username="coordinator", first_name="Casey", last_name="Coordinator")
    people = {
        name: factories.UserFactory(username=name, first_name=first, last_name=last)
        for name, (first, last, _, _) in PEOPLE.items()
    }
    plan = demo_plan(coordinator, people)
    base = f"{live_server.url}/plans/{plan.slug}/"
    pages = ["", "roles/dba/", "issues/", "timeline/", "communications/", "metrics/", "review/", "gates/go-no-go/"]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        login_page(page, coordinator)
        low = []
        for tail in pages:
            page.goto(base + tail)
            found = page.evaluate(LOW_CONTRAST)
            low += [f"{tail or 'plan'}: {what}" for what in found]
        assert low == []
    finally:
        context.close()
