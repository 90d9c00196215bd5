"""The API in Chromium: its Swagger docs render under the Content-Security-Policy from the bundled assets
(no CDN, no inline script), and a token made on the plan's API tokens page works at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests import factories
from tests.browser.shots import keep
from tests.browser.test_csp import WatchedPage, assert_no_violation, watched  # noqa: F401  (the fixture)

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

    from tests.fixture_types import LoginPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_render_under_the_policy(watched: WatchedPage, live_server: LiveServer) -> None:  # noqa: F811
    page = watched()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Launch Control API" in page.inner_text(".swagger-ui .info .title")
    page.get_by_text("/api/v1/plans/{plan}/metrics/{metric}/readings").first.wait_for()
    keep(page, "api-docs.png")
    assert all(url.startswith(live_server.url) for url in requested), [u for u in requested if live_server.url not in u]
    assert_no_violation(page)


def test_a_token_made_on_the_page_reads_the_plan(
    watched: WatchedPage,  # noqa: F811
    login_page: LoginPage,
    live_server: LiveServer,
) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = factories.PlanFactory(coordinator=coordinator, slug="go-live", name="Go-live")
    factories.MetricFactory(plan=plan, name="Error rate")
    page = watched(1366, 900)
    login_page(page, coordinator)
    page.goto(f"{live_server.url}/plans/go-live/api-tokens/")
    page.fill("input[name=name]", "CI deploy pipeline")
    page.check("input[name=scopes][value=steps]")
    page.click("text=Create token")
    raw = page.input_value(".token-value")
    assert raw.startswith("lct_")
    keep(page, "api-tokens.png")
    answer = page.request.get(f"{live_server.url}/api/v1/plans/go-live/", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 200 and answer.json()["metrics"][0]["slug"] == "error-rate"
    page.reload()
    assert raw not in page.content()
    assert_no_violation(page)
