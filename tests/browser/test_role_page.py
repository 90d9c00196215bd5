"""The role page in Chromium: a role owner ticks an item and sees it done without a reload; someone
else finds no tick button and their POST is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checklists.models import ItemStatus
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def role_page_setup():
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live")
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Database")
    item = factories.ItemFactory(checklist=checklist, title="Take a full backup", due_offset=timedelta(hours=-2))
    return {"plan": plan, "owner": owner, "role": role, "item": item}


def test_owner_ticks_without_reload_and_stranger_is_refused(page, login_page, live_server, role_page_setup):
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
