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
