"""The public status page in Chromium: components with their 90-day bars, an incident, the launch window as
a maintenance; on a 390 px phone and a desktop, with no horizontal scroll and AA contrast; complete with
JavaScript off; times in the viewer's zone with it on; a published update appears without a reload.
The "Get updates" form subscribes with JavaScript off. An incident's own page, with the same checks.
With LC_SCREENSHOTS=docs the screenshots go to docs/status-page-390.png, docs/status-page-1366.png and
docs/status-incident.png."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine

from communications.models import StatusPost
from statuspage import services
from statuspage.models import Component
from tests import factories
from tests.browser.shots import keep
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

    from plans.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the push channel does when the plan changes (static/js/live.js): the live part's fetch.
POKE = "() => document.getElementById('sp-live').dispatchEvent(new CustomEvent('wr:poll', {bubbles: true}))"

# Every visible element with text of its own: contrast against the first opaque background.
AUDIT = """() => {
  function rgb(s) {
    const m = s.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  }
  function lum(c) {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("svg")) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) low.push(el.tagName + ": " + el.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
  }
  return {low: low, hscroll: document.documentElement.scrollWidth > window.innerWidth};
}"""


def _status_site() -> Plan:
    now = datetime.now(UTC)
    coordinator = factories.UserFactory(username="coord")
    comms = factories.UserFactory(username="comms")
    plan = factories.PlanFactory(
        coordinator=coordinator, slug="midas", name="Midas The Lifestyle", t0=now + timedelta(hours=3),
        timezone="America/New_York", window_end=timedelta(hours=8),
    )  # fmt: skip
    factories.RoleFactory(plan=plan, name="Communications", slug="communications", primary=comms)
    names = ["Homepage", "User registration", "Booking system", "Payment processing"]
    made = [
        Component.objects.create(plan=plan, name=n, order=i, created_at=now - timedelta(days=120))
        for i, n in enumerate(names)
    ]
    for days, status, back in ((40, "partial_outage", 3), (12, "degraded_performance", 5), (3, "major_outage", 1)):
        with time_machine.travel(now - timedelta(days=days), tick=False):
            services.component_set_status(made[2], by=comms, status=status)
        with time_machine.travel(now - timedelta(days=days, hours=-back), tick=False):
            services.component_set_status(made[2], by=comms, status="operational")
    StatusPost.objects.create(
        plan=plan, title="Launch on schedule", body="Everything is ready: Midas goes live as planned.",
        published_at=now - timedelta(hours=1),
    )  # fmt: skip
    with time_machine.travel(now - timedelta(minutes=25), tick=False):
        incident = services.incident_create(
            plan, by=comms, name="Slow payment confirmations", impact="minor",
            body="Some card payments take up to a minute to confirm. We are investigating.",
            component_states={made[3].pk: "degraded_performance"},
        )  # fmt: skip
    with time_machine.travel(now - timedelta(minutes=10), tick=False):
        services.incident_update_post(
            incident, by=comms, status="identified",
            body="Our payment provider confirmed a delay on their side; payments go through, only slower.",
        )  # fmt: skip
    return plan


def test_the_status_page_on_a_phone_and_a_desktop(browser: Browser, live_server: LiveServer) -> None:
    plan = _status_site()
    url = f"{live_server.url}/status/{plan.slug}/"
    for width, height, name in ((390, 844, "status-page-390.png"), (1366, 768, "status-page-1366.png")):
        context = browser.new_context(viewport={"width": width, "height": height}, timezone_id="Europe/Paris")
        page: Page = context.new_page()
        page.goto(url)
        wait_for_js(page, "document.querySelector('#countdown span').textContent.startsWith('T-0')")
        text = page.inner_text("body")
        for expected in ("Minor Service Outage", "Slow payment confirmations", "Identified", "Booking system",
                         "Degraded performance", "Scheduled maintenance", "Launch on schedule",
                         "Get updates", "Subscribe"):  # fmt: skip
            assert expected in text, expected
        assert "CET" in text or "GMT+1" in text  # the viewer's zone (Paris), not the plan's (New York)
        audit = page.evaluate(AUDIT)
        assert audit == {"low": [], "hscroll": False}, (width, audit)
        assert page.locator(".sp-bars").first.locator("rect").count() == 90
        keep(page, name, full_page=True)
        context.close()


def test_the_page_works_without_javascript_and_updates_live_with_it(browser: Browser, live_server: LiveServer) -> None:
    plan = _status_site()
    url = f"{live_server.url}/status/{plan.slug}/"
    off = browser.new_context(java_script_enabled=False)
    page = off.new_page()
    page.goto(url)
    text = page.inner_text("body")
    assert "Slow payment confirmations" in text and "EST" in text  # the plan's zone, written by the server
    page.fill("#sp-sub-email", "reader@example.com")
    page.click("text=Subscribe >> nth=0")
    page.wait_for_load_state()
    assert "Check your inbox" in page.inner_text("body")
    assert plan.subscribers.get().state == "pending"
    off.close()

    on = browser.new_context()
    page = on.new_page()
    page.clock.install()
    page.goto(url)
    incident = plan.incidents.get()
    from django.contrib.auth.models import User

    comms = User.objects.get(username="comms")
    services.incident_update_post(incident, by=comms, status="monitoring", body="A fix is in; we are watching it.")
    # The next poll of the live part (every 30 s) shows it. A worker keeps its rendering for a real second
    # (statuspage/cache.py), so on a slow machine the first poll may still get the old copy: poll again.
    for _ in range(4):
        page.clock.run_for(31_000)
        try:
            wait_for_js(page, "document.body.innerText.includes('A fix is in; we are watching it.')")
            break
        except AssertionError:
            time.sleep(1.1)
    else:
        raise AssertionError("the update never reached the open page")
    on.close()


def test_an_incident_page(browser: Browser, live_server: LiveServer) -> None:
    plan = _status_site()
    incident = plan.incidents.get()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, timezone_id="Europe/Paris")
    page: Page = context.new_page()
    page.goto(f"{live_server.url}/status/{plan.slug}/")
    page.click("text=Slow payment confirmations")
    page.wait_for_url(f"**/status/{plan.slug}/incidents/{incident.code}/")
    wait_for_js(page, "/CET|GMT\\+1/.test(document.querySelector('time[data-local]').textContent)")
    text = page.inner_text("body")
    assert text.index("Our payment provider confirmed") < text.index("Some card payments take")  # newest first
    assert "Payment processing" in text and "Get updates" in text
    audit = page.evaluate(AUDIT)
    assert audit == {"low": [], "hscroll": False}, audit
    keep(page, "status-incident.png", full_page=True)
    context.close()


def test_a_fetch_with_nothing_new_leaves_the_live_part_as_it_is(browser: Browser, live_server: LiveServer) -> None:
    """The live part is swapped in only when the server's markup changed: not at each fetch because the page's
    countdown ticked (a click landing on an incident's link during such a swap was lost)."""
    plan = _status_site()
    context = browser.new_context()
    context.add_init_script(  # before the page's own scripts: the part as the page was served
        "document.addEventListener('DOMContentLoaded', () => {"
        " window.servedPart = document.getElementById('sp-live'); });"
    )
    page = context.new_page()

    def live_fetch(response: Any) -> bool:
        return response.url.endswith(f"/status/{plan.slug}/live/")

    def fetched(trigger: Callable[[], Any]) -> None:
        with page.expect_response(live_fetch) as answer:
            trigger()
        answer.value.finished()
        page.evaluate("() => new Promise((done) => setTimeout(done, 100))")  # its answer handled

    fetched(lambda: page.goto(f"{live_server.url}/status/{plan.slug}/"))  # the first fetch, at load
    wait_for_js(page, "/^T-/.test(document.querySelector('[data-sp-countdown]').textContent)")  # it ticks
    for _ in range(2):  # as when the push channel says the plan changed
        fetched(lambda: page.evaluate(POKE))
    assert page.evaluate("() => window.servedPart === document.getElementById('sp-live')"), "swapped, unchanged"

    from django.contrib.auth.models import User

    services.incident_update_post(
        plan.incidents.get(), by=User.objects.get(username="comms"), status="monitoring", body="A fix is in."
    )
    page.evaluate(POKE)  # fetched now and again 1.5 s later (a server's cached copy lives a second)
    wait_for_js(page, "document.getElementById('sp-live').innerText.includes('A fix is in.')")
    assert page.evaluate("() => window.servedPart !== document.getElementById('sp-live')")
    context.close()
