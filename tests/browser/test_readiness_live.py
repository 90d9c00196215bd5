"""Readiness is live in Chromium, on a real ASGI server (the push stream): the Support Lead's backup ticks a
readiness item on their role page, and the primary's open role page ("Readiness" section) and the
coordinator's open readiness summary show it within seconds, without a reload and without a fallback poll.
With LC_SCREENSHOTS=docs: docs/readiness-live-1366.png (the summary after the tick)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from readiness.models import Attendee, ReadinessItem
from roles.models import Role
from tests import factories
from tests.browser.shots import keep
from tests.browser.waiting import wait_for_js
from tests.readiness.world import build

if TYPE_CHECKING:
    from tests.browser.conftest import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_readiness_tick_shows_on_the_other_holders_role_page_and_the_summary(
    new_page: NewPage,
) -> None:
    w = build()
    backup = factories.UserFactory(username="r-support-backup")
    Role.objects.filter(plan=w.plan, slug="support-lead").update(backup=backup)  # (test set-up)
    item = ReadinessItem.objects.get(title="Support rota staffed")
    role_path = f"/plans/{w.plan.slug}/roles/support-lead/"
    primary = new_page(w.people["Support Lead"], role_path, height=900)
    summary = new_page(w.people["coordinator"], f"/plans/{w.plan.slug}/readiness/", height=900)
    mine = new_page(backup, role_path, height=900)
    assert primary.locator("#readiness-count").inner_text() == "0 of 1 done"
    assert "readiness items done: 0/2" in summary.locator(".page-head").inner_text()

    mine.locator("#readiness").get_by_role("button", name="Tick “Support rota staffed”").click()
    mine.locator(f"#ritem-{item.pk}.row-done").wait_for()

    # Pushed ("rev"), fetched, swapped: within a couple of seconds, no reload, no fallback poll.
    primary.locator(f"#ritem-{item.pk}.row-done").wait_for(timeout=3_000)
    assert primary.locator("#readiness-count").inner_text() == "1 of 1 done"
    assert "Done by" in primary.locator(f"#ritem-{item.pk}").inner_text()
    row = summary.locator(f"#ritem-{item.pk}")
    wait_for_js(summary, "document.querySelector('.page-head').textContent.includes('done: 1/2')", timeout=3_000)
    assert "Done" in row.locator(".badge").inner_text() and "Undo" in row.inner_text()  # the coordinator may undo
    for pg in (primary, summary):
        live = pg.evaluate("window.lcLive")
        assert live["revs"] >= 1 and live["swaps"] >= 1 and live["polls"] == 0 and live["mode"] == "push", live
        assert pg.evaluate("window.__same_document") is True
    keep(summary, "readiness-live-1366.png", full_page=True)

    # The primary's own tick form still works on the swapped-in section (its htmx is bound again).
    primary.locator("#readiness").get_by_role("button", name="Untick “Support rota staffed”").click()
    primary.locator(f"#ritem-{item.pk}.row-upcoming").wait_for()
    mine.locator(f"#ritem-{item.pk}.row-upcoming").wait_for(timeout=3_000)
    wait_for_js(summary, "document.querySelector('.page-head').textContent.includes('done: 0/2')", timeout=3_000)


def test_attendance_recorded_by_one_trainer_shows_on_the_others_open_track_page(new_page: NewPage) -> None:
    """The coordinator records Ana's attendance; the Support Lead's open track page shows her completed and
    the new figure within seconds, without a reload, and keeps the sheet the lead was pasting meanwhile."""
    w = build()
    path = f"/plans/{w.plan.slug}/readiness/support-team/"
    lead = new_page(w.people["Support Lead"], path, height=900)
    coordinator = new_page(w.people["coordinator"], path, height=900)
    ana = Attendee.objects.get(email="ana@example.com")
    lead.locator("#sheet details summary").click()
    lead.locator("#sheet textarea").fill("email,completed\nben@example.com,yes\n")
    assert "0 % (0/2)" in lead.locator("#track-figure").inner_text()

    coordinator.get_by_role("button", name=f"{ana.name} completed").click()
    coordinator.locator(f"#attendee-{ana.pk}.is-done").wait_for()

    lead.locator(f"#attendee-{ana.pk}.is-done").wait_for(timeout=3_000)
    wait_for_js(lead, "document.querySelector('#track-figure').textContent.includes('50 % (1/2)')", timeout=3_000)
    assert lead.locator("#sheet textarea").input_value() == "email,completed\nben@example.com,yes\n"
    live = lead.evaluate("window.lcLive")
    assert live["revs"] >= 1 and live["swaps"] >= 1 and live["mode"] == "push", live
    assert lead.evaluate("window.__same_document") is True
    # The lead's own button on the swapped-in row still works.
    lead.get_by_role("button", name=f"Undo {ana.name}").click()
    lead.locator(f"#attendee-{ana.pk}.is-missing").wait_for()
    coordinator.locator(f"#attendee-{ana.pk}.is-missing").wait_for(timeout=3_000)
