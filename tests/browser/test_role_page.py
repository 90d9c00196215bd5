"""The role page in Chromium: a role owner ticks an item and sees it done without a reload; someone
else finds no tick button and their POST is refused; an issue raised against the role shows on its open page."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest

from checklists.models import ItemStatus
from tests import factories
from tests.browser.waiting import wait_for_js

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role
    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class RolePageSetup(TypedDict):
    plan: Plan
    owner: User
    role: Role
    item: Item


@pytest.fixture
def role_page_setup() -> RolePageSetup:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live")
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    item = factories.ItemFactory(checklist=checklist, title="Take a full backup", due_offset=timedelta(hours=-2))
    return {"plan": plan, "owner": owner, "role": role, "item": item}


def test_owner_ticks_without_reload_and_stranger_is_refused(
    page: Page, login_page: LoginPage, live_server: LiveServer, role_page_setup: RolePageSetup
) -> None:
    s = role_page_setup
    url = f"{live_server.url}/plans/{s['plan'].slug}/roles/{s['role'].slug}/"
    row = f"#item-{s['item'].pk}"

    login_page(page, s["owner"])
    page.goto(url)
    page.evaluate("window.__no_reload = true")
    page.click(f"{row} button[data-action=tick]")
    page.wait_for_selector(f"{row}.row-done")
    assert page.evaluate("window.__no_reload") is True  # same document: no reload happened
    assert "Done by" in page.inner_text(row)
    assert page.locator(f"{row} button[data-action=untick]").count() == 1
    # The browser-zone time was filled in by the script.
    assert page.locator(f"{row} time[data-local][data-filled]").count() == 1
    s["item"].refresh_from_db()
    assert s["item"].status == ItemStatus.DONE

    # Someone else: no tick button, and a forged POST is refused.
    page.context.clear_cookies()
    stranger = factories.UserFactory(username="stranger")
    login_page(page, stranger)
    page.goto(url)
    assert page.locator(f"{row}").count() == 1
    assert page.locator(f"{row} button").count() == 0
    status = page.evaluate(
        """async ([url]) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({status: 'open', version: '1'});
            const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token, 'HX-Request': 'true'}});
            return r.status;
        }""",
        [f"{url}items/{s['item'].pk}/"],
    )
    assert status == 403
    s["item"].refresh_from_db()
    assert s["item"].status == ItemStatus.DONE


def test_gate_poll_updates_live_and_keeps_what_you_type(
    browser: Browser, login_page: LoginPage, live_server: LiveServer
) -> None:
    director = factories.UserFactory(username="director")
    voter = factories.UserFactory(username="voter")
    plan = factories.PlanFactory(coordinator=factories.UserFactory(username="coord2"), slug="gate-live")
    authority = factories.RoleFactory(plan=plan, name="Launch Director", slug="director", primary=director)
    qa = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=voter)
    gate = factories.GateFactory(plan=plan, name="Final Go/No-Go", slug="final", authority_role=authority)
    gate.polled_roles.set([qa, authority])
    url = f"{live_server.url}/plans/{plan.slug}/gates/{gate.slug}/"

    voter_page = browser.new_context().new_page()
    # The voter page's clock is installed and moved on while it waits: its 3 s polls without the idle seconds.
    voter_page.clock.install()
    login_page(voter_page, voter)
    voter_page.goto(url)
    assert voter_page.locator("form.vote-form").count() == 0  # the poll is not open yet
    director_page = browser.new_context().new_page()
    login_page(director_page, director)
    director_page.goto(url)
    director_page.click("button:has-text('Open the poll')")
    # Without a reload, the voter's page grows the vote form; what they type survives the next polls.
    wait_for_js(voter_page, "document.querySelector('form.vote-form input[name=comment]')", advance_ms=1_000)
    voter_page.wait_for_selector("form.vote-form input[name=comment]")
    voter_page.fill("form.vote-form input[name=comment]", "Regression green")
    director_page.fill("form.vote-form input[name=comment]", "Ready")
    director_page.click("form.vote-form button[value=go]")
    wait_for_js(voter_page, "document.querySelector('#gate-live').innerText.includes('Ready')", advance_ms=1_000)
    assert voter_page.input_value("form.vote-form input[name=comment]") == "Regression green"
    voter_page.context.close()
    director_page.context.close()


def test_hide_done_keeps_the_page_to_what_is_left_and_is_remembered(
    page: Page, login_page: LoginPage, live_server: LiveServer, role_page_setup: RolePageSetup
) -> None:
    s = role_page_setup
    other = factories.ItemFactory(checklist=s["item"].checklist, title="Verify the restore")
    url = f"{live_server.url}/plans/{s['plan'].slug}/roles/{s['role'].slug}/"
    done_row, open_row = f"#item-{s['item'].pk}", f"#item-{other.pk}"

    login_page(page, s["owner"])
    page.goto(url)
    page.click(f"{done_row} button[data-action=tick]")
    page.wait_for_selector(f"{done_row}.row-done")
    page.check("#hide-done")
    assert not page.locator(done_row).is_visible()
    assert page.locator(open_row).is_visible()
    page.reload()
    assert page.locator("#hide-done").is_checked()
    assert not page.locator(done_row).is_visible()


def test_a_note_refused_because_someone_else_wrote_one_stays_in_its_field(
    page: Page, login_page: LoginPage, live_server: LiveServer, role_page_setup: RolePageSetup
) -> None:
    """The backup saves a note on the item while its owner is typing theirs: the owner's save is refused
    (it would overwrite a note they have not read), the backup's note shows, and the owner's text is still
    in its open field to be saved again, which then works."""
    from checklists.services import item_set_status

    s = role_page_setup
    backup = factories.UserFactory(username="backup")
    s["role"].backup = backup
    s["role"].save()  # fixture set-up
    row = f"#item-{s['item'].pk}"
    login_page(page, s["owner"])
    page.goto(f"{live_server.url}/plans/{s['plan'].slug}/roles/{s['role'].slug}/")
    page.click(f"{row} details.note-edit summary")
    page.fill(f"{row} textarea[name=note]", "Backup taken to s3://dumps/2026-12-01")
    item_set_status(s["item"].pk, by=backup, status="open", note="Started the backup at 10:02")
    page.click(f"{row} button:has-text('Save note')")
    page.wait_for_selector(f"{row} [role=alert]")
    assert "read it and save yours again" in page.inner_text(f"{row} [role=alert]")
    assert "Started the backup at 10:02" in page.inner_text(f"{row} .note")
    assert page.locator(f"{row} details.note-edit").get_attribute("open") is not None
    assert page.input_value(f"{row} textarea[name=note]") == "Backup taken to s3://dumps/2026-12-01"
    page.click(f"{row} button:has-text('Save note')")
    page.wait_for_selector(f"{row} .note:has-text('s3://dumps')")
    s["item"].refresh_from_db()
    assert s["item"].note == "Backup taken to s3://dumps/2026-12-01"


def test_a_keyboard_tick_keeps_the_focus_on_its_row(
    page: Page, login_page: LoginPage, live_server: LiveServer, role_page_setup: RolePageSetup
) -> None:
    """Space on a focused tick: the row is replaced, and the focus is on the new row's untick button (it fell
    to the page's top, so the next Tab started from the nav), and back again with Enter."""
    s = role_page_setup
    second = factories.ItemFactory(checklist=s["item"].checklist, title="Stop the writers", due_offset=timedelta(0))
    row = f"#item-{s['item'].pk}"
    login_page(page, s["owner"])
    page.goto(f"{live_server.url}/plans/{s['plan'].slug}/roles/{s['role'].slug}/")
    page.focus(f"{row} button[data-action=tick]")
    page.keyboard.press("Space")
    page.wait_for_selector(f"{row}.row-done")
    wait_for_js(page, f"document.activeElement.matches('{row} button[data-action=untick]')")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{row}:not(.row-done)")
    wait_for_js(page, f"document.activeElement.matches('{row} button[data-action=tick]')")
    page.keyboard.press("Tab")  # on through the row, not from the top of the page
    assert page.evaluate("document.activeElement.closest('header, nav') === null")
    assert second.status == ItemStatus.OPEN


def test_an_issue_raised_against_the_role_shows_on_its_open_page_counts_down_and_is_acknowledged_there(
    page: Page, login_page: LoginPage, live_server: LiveServer, role_page_setup: RolePageSetup
) -> None:
    """The DBA has their checklist open when QA raises a high issue against the DBA role: within a poll it is at
    the top of the page, its response SLA counting down on the page's clock; Acknowledge there records it and
    comes back to the same page, the issue now acknowledged."""
    from issues.models import Issue, IssueStatus, SeveritySLA
    from issues.services import issue_open

    s = role_page_setup
    SeveritySLA.objects.create(plan=s["plan"], severity="high", response_within=timedelta(minutes=15))
    page.clock.install()
    login_page(page, s["owner"])
    page.goto(f"{live_server.url}/plans/{s['plan'].slug}/roles/{s['role'].slug}/")
    assert page.locator("#role-issues").count() == 0
    qa = factories.UserFactory(username="qa")
    factories.RoleFactory(plan=s["plan"], name="QA Lead", slug="qa", primary=qa)
    title = "Replication lag on the read replica"
    issue = issue_open(s["plan"], by=qa, title=title, severity="high", owner_role=s["role"])
    wait_for_js(page, "document.querySelector('#role-issues') !== null", advance_ms=1_000)
    assert "Replication lag on the read replica" in page.inner_text("#role-issues")
    timer = "#role-issues [data-deadline-left]"
    first = page.inner_text(timer)
    assert first.endswith(" left")
    page.clock.fast_forward(61_000)
    wait_for_js(page, f"document.querySelector('{timer}').innerText !== {first!r}")
    page.click("#role-issues button:has-text('Acknowledge')")
    page.wait_for_url("**#role-issues")
    assert "acknowledged" in page.inner_text("#role-issues")
    assert page.locator("#role-issues button").count() == 0
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.ACKNOWLEDGED
