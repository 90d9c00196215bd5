"""Every API endpoint: it works with a token of its scope; it answers 401 without a (live) token, 403 for a
token without its scope or of another plan, 400 naming each field at fault, 429 past the rate limit; and
every refused call changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from api.services import token_revoke
from tests.api.conftest import ALL_SCOPES, Api

pytestmark = pytest.mark.django_db


def _start_step(api: Api) -> None:
    from checklists.services import step_start

    step_start(api.world.step, by=api.world.coordinator)


def _pull(api: Api) -> None:
    from plans.runbook.services import rollback_trigger_raise

    rollback_trigger_raise(api.world.rollback, by=api.world.coordinator, reason="Orders lost")


def _resolve(api: Api) -> None:
    from issues.services import issue_resolve

    issue_resolve(api.world.issue, by=api.world.coordinator, resolution="Scaled the pool")


@dataclass(frozen=True)
class Call:
    name: str
    scope: str
    tail: Callable[[Api], str]
    body: dict[str, Any] | None = None
    status: int = 200
    prepare: Callable[[Api], None] | None = None
    # Bodies refused with 400, each with the location its error must name.
    bad: list[tuple[dict[str, Any], list[str | int]]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


CALLS = [
    Call("state", "read", lambda a: "", body=None),
    Call(
        "reading",
        "metrics",
        lambda a: "metrics/error-rate/readings",
        {"value": 0.05},
        201,
        bad=[
            ({"value": "lots"}, ["body", "value"]),
            ({"value": 12345678901}, ["body", "value"]),
            ({}, ["body", "value"]),
            ({"value": 1, "at": "2026-12-01T12:00:00"}, ["body", "at"]),
            ({"value": 1, "at": "2999-01-01T00:00:00Z"}, ["body", "at"]),
            ({"value": 1, "readings": [{"value": 1}]}, ["body", "value"]),
            ({"readings": [{"value": 1}, {"value": "x"}]}, ["body", "readings", 1, "value"]),
            ({"readings": [{"value": 1, "at": "yesterday"}]}, ["body", "readings", 0, "at"]),
            ({"readings": []}, ["body", "readings"]),
            ({"valeu": 1}, ["body", "valeu"]),
        ],
    ),
    Call(
        "issue_raise",
        "issues",
        lambda a: "issues",
        {"title": "Checkout 502", "severity": "critical", "owner_role": "dba", "description": "From the CI"},
        201,
        bad=[
            ({"title": "", "severity": "high"}, ["body", "title"]),
            ({"title": "Bell \x07", "severity": "high"}, ["body", "title"]),
            ({"title": "x" * 201, "severity": "high"}, ["body", "title"]),
            ({"title": "Slow", "severity": "urgent"}, ["body", "severity"]),
            ({"title": "Slow"}, ["body", "severity"]),
            ({"title": "Slow", "severity": "low", "owner_role": "nobody"}, ["body", "owner_role"]),
            ({"title": "Slow", "severity": "low", "description": "x" * 10001}, ["body", "description"]),
        ],
    ),
    Call("issue_ack", "issues", lambda a: f"issues/{a.world.issue.number}/acknowledge"),
    Call(
        "issue_resolve",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/resolve",
        {"resolution": "Scaled the pool"},
        bad=[
            ({"resolution": "  "}, ["body", "resolution"]),
            ({}, ["body", "resolution"]),
            ({"resolution": "x", "root_cause": "x" * 2001}, ["body", "root_cause"]),
        ],
    ),
    Call(
        "issue_mitigate",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/mitigate",
        {"note": "Failing over to the replica"},
        bad=[
            ({"note": 5}, ["body", "note"]),
            ({"note": "x" * 2001}, ["body", "note"]),
            ({"note": "a\x00b"}, ["body", "note"]),
        ],
    ),
    Call(
        "issue_close",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/close",
        {"root_cause": "Pool too small"},
        prepare=_resolve,
        bad=[
            ({}, ["body", "root_cause"]),
            ({"root_cause": "  "}, ["body", "root_cause"]),
            ({"root_cause": "x" * 2001}, ["body", "root_cause"]),
            ({"root_cause": "Bell \x07"}, ["body", "root_cause"]),
            ({"root_cause": "Pool", "resolution": "x" * 2001}, ["body", "resolution"]),
            ({"root_cause": "Pool", "cause": "typo"}, ["body", "cause"]),
        ],
    ),
    Call(
        "issue_reopen",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/reopen",
        {"reason": "502s are back"},
        prepare=_resolve,
        bad=[
            ({}, ["body", "reason"]),
            ({"reason": ""}, ["body", "reason"]),
            ({"reason": "a\x00b"}, ["body", "reason"]),
        ],
    ),
    Call(
        "issue_triage",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/triage",
        {"severity": "critical"},
        bad=[
            ({"severity": "urgent"}, ["body", "severity"]),
            ({"owner_role": "no-such-role"}, ["body", "owner_role"]),
            ({"owner_role": "x" * 101}, ["body", "owner_role"]),
        ],
    ),
    Call(
        "issue_comment",
        "issues",
        lambda a: f"issues/{a.world.issue.number}/comments",
        {"body": "Seeing it from Paris too"},
        201,
        bad=[({}, ["body", "body"]), ({"body": ""}, ["body", "body"]), ({"body": "x" * 2001}, ["body", "body"])],
    ),
    Call(
        "trigger_raise",
        "issues",
        lambda a: f"rollback-triggers/{a.world.rollback.pk}/raise",
        {"reason": "Orders lost in checkout"},
        bad=[({"reason": ""}, ["body", "reason"]), ({"reason": "a\x00b"}, ["body", "reason"])],
    ),
    Call(
        "trigger_clear",
        "issues",
        lambda a: "rollback-triggers/data-loss/clear",
        {"reason": "False alarm"},
        prepare=_pull,
        bad=[({}, ["body", "reason"])],
    ),
    Call("step_start", "steps", lambda a: f"steps/{a.world.step.pk}/start"),
    Call(
        "step_finish",
        "steps",
        lambda a: "steps/cut-over-dns/finish",
        {"note": "TTL was 60 s"},
        prepare=_start_step,
        bad=[({"note": 5}, ["body", "note"]), ({"note": "x" * 2001}, ["body", "note"])],
    ),
]
OTHER_SCOPE = {"read": "steps", "metrics": "read", "issues": "metrics", "steps": "issues"}


def call(api: Api, c: Call, token: str | None, body: Any = None, plan: str | None = None) -> Any:
    if c.name == "state":
        return api.get(c.tail(api), token) if plan is None else api.client.get(f"/api/v1/plans/{plan}/")
    return api.post(c.tail(api), token, c.body if body is None else body, plan=plan)


@pytest.mark.parametrize("c", CALLS, ids=str)
def test_works_with_its_scope_and_records_an_event(api: Api, c: Call) -> None:
    from plans.models import Event, Plan

    if c.prepare:
        c.prepare(api)
    token = api.token([c.scope])
    revision = Plan.objects.get(pk=api.plan.pk).revision
    response = call(api, c, token)
    assert response.status_code == c.status, response.content
    body = response.json()
    if c.name == "state":
        assert body["slug"] == api.plan.slug and response["ETag"]
        return
    assert Plan.objects.get(pk=api.plan.pk).revision > revision
    event = Event.objects.filter(plan=api.plan).order_by("-id").first()
    assert event is not None and event.actor is not None and event.actor.get_username().startswith("api-token-")


@pytest.mark.parametrize("c", CALLS, ids=str)
def test_refuses_without_a_live_token(api: Api, c: Call, unchanged: Any) -> None:
    if c.prepare:
        c.prepare(api)
    good = api.token()
    revoked = api.token(name="old")
    from api.models import ApiToken

    token_revoke(ApiToken.objects.get(name="old"), by=api.world.coordinator)
    check = unchanged()
    for token in (None, "lct_00000000_nope", good[:-1] + ("A" if good[-1] != "A" else "B"), revoked, "Basic dTpw"):
        response = call(api, c, token)
        assert response.status_code == 401, (token, response.status_code)
        assert response["WWW-Authenticate"].startswith("Bearer")
    with time_machine.travel(timezone.now() + timedelta(days=31)):  # past its 30 days
        assert call(api, c, good).status_code == 401
    check()


@pytest.mark.parametrize("c", CALLS, ids=str)
def test_refuses_a_token_without_the_scope_or_of_another_plan(api: Api, c: Call, unchanged: Any) -> None:
    if c.prepare:
        c.prepare(api)
    lacking = api.token([s for s in ALL_SCOPES if s != c.scope])
    elsewhere = api.token(plan=api.world.other_plan)
    other = api.token([OTHER_SCOPE[c.scope]])
    check = unchanged()
    response = call(api, c, lacking)
    assert response.status_code == 403 and c.scope in response.json()["detail"]
    response = call(api, c, other)
    assert response.status_code == 403
    # Another plan's token, on this plan's URL, and on a plan that does not exist.
    response = call(api, c, elsewhere)
    assert response.status_code == 403 and "another plan" in response.json()["detail"]
    if c.name != "state":
        assert api.post(c.tail(api), elsewhere, c.body, plan="no-such-plan").status_code == 403
    check()


@pytest.mark.parametrize("c", [c for c in CALLS if c.bad], ids=str)
def test_a_bad_body_is_a_400_naming_the_field_and_changes_nothing(api: Api, c: Call, unchanged: Any) -> None:
    if c.prepare:
        c.prepare(api)
    token = api.token()
    check = unchanged()
    for body, loc in c.bad:
        response = call(api, c, token, body)
        assert response.status_code == 400, (body, response.status_code, response.content)
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail and all(e["msg"] for e in detail), detail
        assert loc in [e["loc"] for e in detail], (body, detail)
    check()


@pytest.mark.parametrize("c", CALLS, ids=str)
def test_past_the_rate_limit_is_a_429(api: Api, c: Call, settings: Any, unchanged: Any) -> None:
    settings.API_RATE_LIMIT = 3
    # The limit counts per minute of the clock: the calls below must not straddle a minute's turn (the
    # count would start again and the fourth call pass), so the clock stands still in the middle of one.
    middle = (int(timezone.now().timestamp()) // 60 + 1) * 60 + 30
    with time_machine.travel(middle, tick=False):
        _four_calls_one_refused(api, c, unchanged)


def _four_calls_one_refused(api: Api, c: Call, unchanged: Any) -> None:
    if c.prepare:
        c.prepare(api)
    token = api.token(["read"] if c.scope != "read" else ["steps"])  # refused calls count too
    for _ in range(3):
        assert call(api, c, token).status_code == 403
    allowed = api.token()
    check = unchanged()
    other = call(api, c, token)
    assert other.status_code == 429 and 1 <= int(other["Retry-After"]) <= 60
    assert "3 calls per minute" in other.json()["detail"]
    check()
    # The limit is per token: another token of the plan still gets through.
    assert call(api, c, allowed).status_code == c.status


def test_a_json_body_that_is_not_json_is_a_400(api: Api, unchanged: Any) -> None:
    token = api.token()
    check = unchanged()
    auth = {"Authorization": f"Bearer {token}"}
    response = api.client.post(api.url("issues"), data="{not json", content_type="application/json", headers=auth)
    assert response.status_code == 400
    check()


def test_unknown_rows_are_404(api: Api) -> None:
    token = api.token()
    assert api.post("metrics/latency/readings", token, {"value": 1}).status_code == 404
    assert api.post("issues/999/acknowledge", token).status_code == 404
    assert api.post("steps/99999/start", token).status_code == 404
    assert api.post("rollback-triggers/nope/raise", token, {"reason": "x"}).status_code == 404


def test_a_write_the_plan_refuses_is_a_409_and_changes_nothing(api: Api, unchanged: Any) -> None:
    token = api.token()
    check = unchanged()
    response = api.post("steps/cut-over-dns/finish", token, {"note": "done"})  # never started
    assert response.status_code == 409 and "Start" in response.json()["detail"]
    number = api.world.issue.number
    response = api.post(f"issues/{number}/close", token, {"root_cause": "Pool"})  # not resolved yet
    assert response.status_code == 409 and "cannot be closed" in response.json()["detail"]
    assert api.post(f"issues/{number}/reopen", token, {"reason": "back"}).status_code == 409
    check()


def test_the_life_of_an_issue_over_the_api_and_a_retry_is_a_409(api: Api, unchanged: Any) -> None:
    token = api.token(["issues"])
    number = api.world.issue.number
    assert api.post(f"issues/{number}/acknowledge", token).json()["status"] == "acknowledged"
    assert api.post(f"issues/{number}/mitigate", token, {"note": "Failing over"}).json()["status"] == "mitigating"
    done = api.post(f"issues/{number}/resolve", token, {"resolution": "Failed over", "root_cause": "Disk full"})
    assert done.json()["status"] == "resolved" and done.json()["resolution_seconds"] is not None
    check = unchanged()
    again = api.post(f"issues/{number}/resolve", token, {"resolution": "Failed over"})
    assert again.status_code == 409 and again.json()["detail"] == f"Nothing changed: #{number} is already resolved."
    check()
    closed = api.post(f"issues/{number}/close", token, {}).json()  # the root cause came with the resolution
    assert closed["status"] == "closed" and closed["root_cause"] == "Disk full" and closed["closed_at"]
    comment = api.post(f"issues/{number}/comments", token, {"body": "Post-mortem Friday"})
    assert comment.status_code == 201 and comment.json()["issue"] == number
    check = unchanged()
    assert api.post(f"issues/{number}/reopen", token, {"reason": "Back"}).status_code == 409  # closed stays closed
    check()


def test_triage_over_the_api_changes_severity_and_role_and_leaves_the_rest(api: Api) -> None:
    token = api.token(["issues"])
    number = api.world.issue.number
    other = api.world.role_b
    done = api.post(f"issues/{number}/triage", token, {"owner_role": other.slug})
    assert done.status_code == 200
    issue = type(api.world.issue).objects.get(pk=api.world.issue.pk)
    assert issue.owner_role == other and issue.severity == api.world.issue.severity


def test_a_steps_answer_carries_its_forecast_as_the_live_state_does(api: Api) -> None:
    """Starting or finishing a step answers with the step as GET /state shows it, forecast included (it was
    null in the write's answer)."""
    token = api.token()
    started = api.post("steps/cut-over-dns/start", token)
    assert started.status_code == 200, started.content
    body = started.json()
    state = api.get("", token).json()
    (live,) = [s for s in state["steps"] if s["id"] == body["id"]]
    assert body["forecast_start"] is not None and body["forecast_end"] is not None
    for key in ("forecast_start", "forecast_end"):  # (the state's "now" is a moment later)
        moment, live_moment = (datetime.fromisoformat(v.replace("Z", "+00:00")) for v in (body[key], live[key]))
        assert abs(moment - live_moment) < timedelta(seconds=5), key


def test_an_aborted_launch_refuses_its_launch_day_over_the_api_too(api: Api, unchanged: Any) -> None:
    """The API goes through the same services: a step started after the abort is a 409 that says why."""
    from plans.models import Plan

    token = api.token()
    Plan.objects.filter(pk=api.world.plan.pk).update(status="aborted")  # test set-up: the launch was aborted
    check = unchanged()
    response = api.post(f"steps/{api.world.step.pk}/start", token)
    assert response.status_code == 409 and "The launch was aborted" in response.json()["detail"]
    check()
