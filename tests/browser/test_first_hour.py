"""The small things a launch team trips over in its first hour (issue 11, findings 11, 14 and 17), in
Chromium: the role page on a phone and a laptop (screenshots in docs/role-390.png and docs/role-1366.png),
the coordinator's nav on one line, the "you: ..." time line only for someone in another zone, a backup's
tick showing on the primary's open page, the issues page's SLA counting down, the timeline's badges in
view beside a long role name, and a tab icon instead of a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from checklists.services import item_tick
from issues.services import issue_open
from launch.services.demo import PEOPLE, demo_plan
from plans.models import Plan
from tests import factories
from tests.browser.shots import keep
from tests.browser.waiting import wait_for_js

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser: Any, width: int, height: int, tz: str = "Europe/London") -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, timezone_id=tz)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def demo(db: None) -> tuple[Plan, dict[str, User]]:
    coordinator = factories.UserFactory(username="coordinator", first_name="Casey", last_name="Coordinator")
    coordinator.is_staff = True
    coordinator.save()
    people = {
        name: factories.UserFactory(username=name, first_name=first, last_name=last)
        for name, (first, last, _, _) in PEOPLE.items()
    }
    return demo_plan(coordinator, people), {"coordinator": coordinator, **people}


def test_role_page_on_a_phone_and_a_laptop(
    browser: Any, live_server: LiveServer, login_page: Any, demo: tuple[Plan, dict[str, User]]
) -> None:
    plan, users = demo
    url = f"{live_server.url}/plans/{plan.slug}/roles/product-manager/"

    phone = _page(browser, 390, 844)
    try:
        login_page(phone, users["pm"])
        phone.goto(url)
        phone.wait_for_selector("li.row-in_progress")
        keep(phone, "role-390.png")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        # On a phone the "In progress" badge sits under the row, never over its time.
        for row in phone.locator("li.row:has(.row-state .badge):has(.when)").all()[:6]:
            badge, when = row.locator(".row-state .badge").bounding_box(), row.locator(".when").bounding_box()
            assert badge and when and not _overlap(badge, when)
        # The viewer is in the plan's zone: no second "you: ..." time.
        assert phone.locator(".t-local:visible").count() == 0
        assert phone.locator("time[data-local][data-filled]").count() > 0
        # The pages a role holder opens from it do not scroll sideways either (the metrics page's rollback
        # triggers ran 160 px past the screen); a wide table scrolls in its own box.
        for page_url in ("", "metrics/", "issues/", "timeline/", "readiness/"):
            phone.goto(f"{live_server.url}/plans/{plan.slug}/{page_url}")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, page_url or "the plan"
        # The issues list is a card per issue on a phone: its SLA is on screen, nothing scrolls in a box.
        phone.goto(f"{live_server.url}/plans/{plan.slug}/issues/")
        slas = phone.locator("#unresolved tr[data-sla-row] .cell-sla").all()
        assert slas
        for sla in slas:
            box = sla.bounding_box()
            assert box and box["width"] > 0 and box["x"] + box["width"] <= 390
        wrap = "document.querySelector('#unresolved').parentElement"
        assert phone.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth")
        # So is the activity log: an event a block, nothing scrolled sideways in a box.
        phone.goto(f"{live_server.url}/plans/{plan.slug}/activity/")
        assert phone.locator("table.activity tr.event").count() > 0
        wrap = "document.querySelector('table.activity').parentElement"
        assert phone.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth")
    finally:
        phone.context.close()

    laptop = _page(browser, 1366, 768, tz="America/New_York")
    try:
        login_page(laptop, users["coordinator"])
        laptop.goto(url)
        laptop.wait_for_selector("li.row-in_progress")
        keep(laptop, "role-1366.png")
        # Someone in another zone is told the time in theirs.
        assert laptop.locator(".t-local:visible").count() > 0
        # The coordinator's nav (plan, state, seven links, admin, name, sign out) stays on one line.
        tops = laptop.evaluate(
            "Array.from(document.querySelectorAll('.topbar a, .topbar .badge, .topbar button'))"
            ".map(el => el.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.top + r.height / 2)"
        )
        assert len(tops) >= 10 and max(tops) - min(tops) < 6, tops
        assert laptop.evaluate("document.documentElement.scrollWidth") <= 1366
        # The counts agree with the home card: items only, steps on their own.
        summary = laptop.inner_text("#role-summary")
        laptop.goto(f"{live_server.url}/")
        assert "Plans you coordinate" in laptop.inner_text("main")
        assert plan.slug in laptop.inner_text("main")
        assert "items done" in summary and "Steps:" in summary
    finally:
        laptop.context.close()


TOPBAR_BOXES = (
    "Array.from(document.querySelectorAll('.topbar a, .topbar .badge, .topbar button'))"
    ".map(el => el.getBoundingClientRect()).filter(r => r.width > 0)"
    ".map(r => ({x: r.x, y: r.y, width: r.width, height: r.height}))"
)


def test_the_staff_coordinators_nav_never_runs_links_under_each_other(
    browser: Any, live_server: LiveServer, login_page: Any, demo: tuple[Plan, dict[str, User]]
) -> None:
    """A plan's twelve links, Raise issue, Admin and Sign out: at 1366 "Admin" ran under "Raise issue". From
    1280 up they stay on one line; below, the plan's links take a row of their own. Nothing overlaps and the
    page never scrolls sideways. One page (and one demo) resized through the widths."""
    plan, users = demo
    page = _page(browser, 900, 800)
    try:
        login_page(page, users["coordinator"])
        for width in (900, 1024, 1280, 1366, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{live_server.url}/plans/{plan.slug}/readiness/")
            boxes = page.evaluate(TOPBAR_BOXES)
            assert len(boxes) >= 14, (width, boxes)
            clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]
            assert not clashes, (width, clashes)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, width
            if width >= 1280:
                middles = [b["y"] + b["height"] / 2 for b in boxes]
                assert max(middles) - min(middles) < 6, (width, middles)
    finally:
        page.context.close()


def test_backup_tick_shows_on_the_primary_open_page(browser: Any, live_server: LiveServer, login_page: Any) -> None:
    primary, backup = factories.UserFactory(username="primary"), factories.UserFactory(username="backup")
    plan = factories.PlanFactory(slug="go-live", t0=timezone.now() + timedelta(hours=1))
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=primary, backup=backup)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    item = factories.ItemFactory(checklist=checklist, title="Take a full backup", due_offset=timedelta(minutes=-5))
    page = _page(browser, 1366, 768)
    # The page's clock is installed and moved on while it waits: its 3 s polls come without the idle seconds.
    page.clock.install()
    try:
        login_page(page, primary)
        page.goto(f"{live_server.url}/plans/{plan.slug}/roles/{role.slug}/")
        page.evaluate("window.__same_document = true")
        wait_for_js(  # 304 while unchanged
            page, "window.lcLive && window.lcLive.unchanged >= 1", timeout=10_000, advance_ms=1_000
        )
        assert page.locator(f"#item-{item.pk}.row-done").count() == 0
        item_tick(item, by=backup)
        wait_for_js(page, f"document.querySelector('#item-{item.pk}.row-done')", timeout=8_000, advance_ms=1_000)
        page.wait_for_selector(f"#item-{item.pk}.row-done", timeout=8_000)
        assert "backup" in page.inner_text(f"#item-{item.pk}").lower()
        assert "1 of 1 items done" in page.inner_text("#role-summary")
        assert page.evaluate("window.__same_document") is True
    finally:
        page.context.close()


def test_issue_sla_counts_down_and_favicon_is_served(browser: Any, live_server: LiveServer, login_page: Any) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(slug="go-live", coordinator=coordinator)
    factories.RoleFactory(plan=plan, slug="dba", primary=coordinator)
    from issues.models import SeveritySLA

    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(minutes=27))
    issue_open(plan, by=coordinator, title="Checkout slow", severity="high")
    page = _page(browser, 1366, 768)
    try:
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
        login_page(page, coordinator)
        page.goto(f"{live_server.url}/plans/{plan.slug}/issues/")
        first = page.inner_text(".sla-left")
        assert first.endswith(" left") and ":" in first  # "26:59 left", ticking
        wait_for_js(page, f"document.querySelector('.sla-left').textContent !== {first!r}", timeout=3_000)
        icon = page.request.get(f"{live_server.url}/favicon.ico")
        assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg")
        assert page.locator("link[rel=icon]").count() == 1
        assert missing == []
    finally:
        page.context.close()


def test_timeline_badge_stays_in_view_beside_a_long_role_name(
    browser: Any, live_server: LiveServer, login_page: Any
) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(slug="go-live", coordinator=coordinator, t0=timezone.now() + timedelta(hours=1))
    role = factories.RoleFactory(plan=plan, name="Customer Communications, Social Media and Press Office Lead")
    step = factories.StepFactory(
        plan=plan, lead_role=role, name="Publish the maintenance banner on every regional site", status="done"
    )
    page = _page(browser, 1366, 768)
    try:
        login_page(page, coordinator)
        page.goto(f"{live_server.url}/plans/{plan.slug}/timeline/")
        label = page.locator(f"#tl-step-{step.pk} .tl-label")
        badge = label.locator(".badge.state-done")
        box, inner = label.bounding_box(), badge.bounding_box()
        assert box and inner and inner["width"] > 0
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5
        assert role.name in (label.get_attribute("title") or "")  # the cut name is whole in the tooltip
    finally:
        page.context.close()
