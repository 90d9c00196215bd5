"""A call whose body is all optional takes no body at all (curl -X POST without -d), and the OpenAPI schema
says so: mitigating an issue (the note is optional), advancing the rollout (from_stage is optional)."""

from __future__ import annotations

from typing import Any

import pytest

from issues.models import Issue
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def bare_post(api: Api, tail: str, token: str, **kw: Any) -> Any:
    return api.client.post(api.url(tail), headers={"Authorization": f"Bearer {token}"}, **kw)


@pytest.mark.parametrize("kind", ["application/json", "text/plain"])
def test_mitigate_takes_no_body(api: Api, kind: str) -> None:
    issue = api.world.issue
    response = bare_post(api, f"issues/{issue.number}/mitigate", api.token(["issues"]), data="", content_type=kind)
    assert response.status_code == 200, response.content
    assert Issue.objects.get(pk=issue.pk).status == "mitigating"


def test_a_body_is_still_checked_when_sent(api: Api) -> None:
    issue = api.world.issue
    response = api.post(f"issues/{issue.number}/mitigate", api.token(["issues"]), {"nope": 1})
    assert response.status_code == 400


def test_the_schema_says_the_bodies_are_optional(api: Api) -> None:
    schema = api.client.get("/api/v1/openapi.json").json()
    mitigate = schema["paths"]["/api/v1/plans/{plan}/issues/{number}/mitigate"]["post"]
    advance = schema["paths"]["/api/v1/plans/{plan}/rollout/advance"]["post"]
    assert mitigate["requestBody"].get("required", False) is False
    assert advance["requestBody"].get("required", False) is False


def test_advance_takes_no_body(api: Api) -> None:
    from tests.api.test_rollout_api import _staged

    _staged(api)
    response = bare_post(api, "rollout/advance", api.token(["rollout"]), data="", content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"]["percent"] == 10
