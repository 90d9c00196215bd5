"""A form the server refuses after the browser let it go (here: an incident whose text is only spaces) comes
back on the page with what was typed in it, its choices as they were, and the focus in it
(launchcontrol.kept, static/js/ui.js), in Chromium."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from statuspage.models import Incident
from tests import factories

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_incident_keeps_its_title_and_choices(browser: Any, live_server: LiveServer, login_page: Any) -> None:
    coordinator = factories.UserFactory(username="cleo")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live")
    factories.RoleFactory(plan=plan, name="Communications", slug="communications")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        login_page(pg, coordinator)
        pg.goto(f"{live_server.url}/plans/go-live/status/")
        form = pg.locator("form[action$='/incidents/new/']")
        form.locator("[name=name]").fill("Sign-in fails for some EU users")
        form.locator("[name=impact]").select_option("major")
        form.locator("[name=body]").fill("   ")  # the browser's "required" lets spaces through; the server does not
        form.locator("button[type=submit]").click()
        pg.wait_for_selector(".msg-error")
        assert "needs a title, a stage, an impact and the text customers read" in pg.inner_text(".messages")
        form = pg.locator("form[action$='/incidents/new/']")
        assert form.locator("[name=name]").input_value() == "Sign-in fails for some EU users"
        assert form.locator("[name=impact]").input_value() == "major"
        assert pg.evaluate("document.activeElement.name") == "name"
        assert not Incident.objects.exists()
        pg.reload()  # given back once: a reload shows the empty form
        assert pg.locator("form[action$='/incidents/new/'] [name=name]").input_value() == ""
    finally:
        context.close()


def test_a_comment_sent_after_signing_out_in_another_tab_is_back_after_signing_in(
    browser: Any, live_server: LiveServer, login_page: Any
) -> None:
    """launchcontrol/signedout.py: the sign-in page says nothing was saved; signing in leads back to the issue
    (not to the comment's POST-only address, a blank 405) with the comment in its box, sent with one click."""
    from datetime import timedelta

    from issues import services
    from issues.models import IssueComment, SeveritySLA

    coordinator = factories.UserFactory(username="cleo")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live")
    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(hours=1))
    issue = services.issue_open(plan, by=coordinator, title="502s", severity="high")
    detail = f"{live_server.url}/plans/go-live/issues/{issue.number}/"
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        login_page(pg, coordinator)
        pg.goto(detail)
        other = context.new_page()  # another tab of the same browser signs out
        other.goto(f"{live_server.url}/")
        other.get_by_role("button", name="Sign out").click()
        other.wait_for_url("**/accounts/login/")
        pg.fill("#comment-body", "Pool exhausted at 11:02; failing over")
        pg.get_by_role("button", name="Comment", exact=True).click()
        pg.wait_for_url("**/accounts/login/?next=*")
        assert "You were signed out, so nothing was saved." in pg.inner_text(".messages")
        pg.fill("input[name=username]", "cleo")
        pg.fill("input[name=password]", factories.PASSWORD)
        pg.locator("main button[type=submit]").click()
        pg.wait_for_url(detail)
        assert pg.input_value("#comment-body") == "Pool exhausted at 11:02; failing over"
        assert not IssueComment.objects.exists()
        pg.get_by_role("button", name="Comment", exact=True).click()
        pg.wait_for_selector(".tl-comment")
        assert IssueComment.objects.get().body == "Pool exhausted at 11:02; failing over"
    finally:
        context.close()
