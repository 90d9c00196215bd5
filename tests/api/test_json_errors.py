"""Under /api/v1/ the errors are JSON too: a method a path does not take (405, with Allow), a path no
operation has (404), as the operations' own 404s are."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_get_on_a_post_only_path_is_a_json_405(api: Api) -> None:
    token = api.token(["issues"])
    response = api.get("issues/1/acknowledge", token)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": "Method GET not allowed here; use POST."}


@pytest.mark.parametrize("tail", ["issues/1", "issues/1/acknowledge/more", "nothing-here"])
def test_a_path_the_api_does_not_have_is_a_json_404(api: Api, tail: str) -> None:
    response = api.get(tail, api.token(["read"]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Not found")


def test_an_unknown_issue_keeps_its_own_json_404(api: Api) -> None:
    response = api.post("issues/999/acknowledge", api.token(["issues"]))
    assert response.status_code == 404
    assert response.json() == {"detail": "No issue #999 in this plan."}


def test_pages_outside_the_api_keep_their_html_404(api: Api) -> None:
    response = api.client.get("/plans/no-such-plan-at-all/nothing/")
    assert response.status_code == 404 and "json" not in response["Content-Type"]
