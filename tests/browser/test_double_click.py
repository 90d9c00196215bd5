"""A double click sends a form once (static/js/ui.js): the standalone "Raise issue" page made two issues
from one double click, 0.25 s apart (its form posted through htmx into the hidden dialog, so nothing on the
page changed); a comment posted twice was two comments."""

from __future__ import annotations

import contextlib
import re
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from issues.models import Issue, IssueComment, SeveritySLA
from tests import factories

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_raises_one_issue_and_adds_one_comment(
    browser: Any, live_server: LiveServer, login_page: Any
) -> None:
    coordinator = factories.UserFactory(username="cleo")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live")
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=timedelta(minutes=15))
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        login_page(pg, coordinator)
        posts: list[str] = []
        pg.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        pg.goto(f"{live_server.url}/plans/go-live/issues/raise/")
        pg.fill("#raise-form [name=title]", "Checkout returns 502")
        pg.locator("#raise-form button[type=submit]").dblclick()
        pg.wait_for_url(re.compile(r"/plans/go-live/issues/\d+/$"))  # the new issue's page, not the form again
        issue = Issue.objects.get()
        assert pg.url.endswith(f"/issues/{issue.number}/") and issue.title == "Checkout returns 502"
        assert len(posts) == 1
        pg.fill("#comment-body", "Pool exhausted")

        def slow(route: Any) -> None:  # a busy server: the first answer takes a second
            time.sleep(1)
            with contextlib.suppress(Exception):  # (a second post would have cancelled it)
                route.continue_()

        pg.route("**/comment/", slow)
        pg.evaluate(
            """() => { const button = document.querySelector('.comment-form button[type=submit]');
                       button.click(); setTimeout(() => button.click(), 300); }"""
        )
        pg.wait_for_selector(".tl-comment")
        assert IssueComment.objects.count() == 1 and len(posts) == 2  # the raise, and one comment
    finally:
        context.close()
