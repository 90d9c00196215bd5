"""The rollout through the API (scope ``rollout``): the live state carries the current stage, its soak and
health; advance and rollback work with the scope (as the authority: a token has the coordinator's rights),
answer 400 naming the field, 401 without a live token, 403 without the scope or for another plan's token,
409 with every reason while the moment refuses; and every refused call changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from plans.models import Event, Plan, Rollout, RolloutStage
from tests.api.conftest import Api
from tests.endpoints import _rollout

pytestmark = pytest.mark.django_db


def _staged(api: Api, *, current: int = 0, soak: timedelta = timedelta(0)) -> Rollout:
    _rollout(api.world, current=current)
    RolloutStage.objects.filter(rollout__plan=api.plan, order=0).update(soak=soak)  # (test set-up)
    stage = RolloutStage.objects.get(rollout__plan=api.plan, order=0)
    stage.metrics.set([api.world.metric])
    api.world.metric.comparator, api.world.metric.target = "<", 1
    api.world.metric.save()
    return Rollout.objects.get(plan=api.plan)


def test_the_live_state_carries_the_stage_its_soak_and_health(api: Api) -> None:
    assert api.get("", api.token(["read"])).json()["rollout"] is None  # a plan without stages
    _staged(api, current=1, soak=timedelta(minutes=30))
    Rollout.objects.filter(plan=api.plan).update(stage_started_at=timezone.now() - timedelta(minutes=10))
    body = api.get("", api.token(["read"])).json()["rollout"]
    assert body["stage"] == {
        "number": 1,
        "name": "Canary",
        "percent": 10,
        "soak_seconds": 1800.0,
        "metrics": ["Error rate"],
    }
    assert 1190 <= body["soak_remaining_seconds"] <= 1200 and body["started_at"]
    assert body["health"] == [
        {"metric": "Error rate", "slug": "error-rate", "status": "none", "value": None, "recorded_at": None}
    ]
    assert body["ready"] is False and any("soaks until" in b for b in body["blockers"])
    assert body["next_stage"]["percent"] == 100 and body["authority"] == "DBA" and body["proposal"] is None


def test_advance_and_rollback_with_the_scope_record_events(api: Api) -> None:
    _staged(api)
    token = api.token(["rollout"])
    response = api.post("rollout/advance", token, {"from_stage": 0})
    assert response.status_code == 200, response.content
    assert response.json()["stage"]["percent"] == 10
    assert api.post("rollout/advance", token, {"from_stage": 0}).json()["stage"]["percent"] == 10  # a retry: once
    assert Event.objects.filter(kind="rollout.advanced").count() == 1
    event = Event.objects.get(kind="rollout.advanced")
    assert event.actor is not None and event.actor.get_username().startswith("api-token-")
    api.world.metric.readings.create(value=0.2)  # (test set-up: an on-target reading in the stage)
    assert api.post("rollout/advance", token).json()["stage"]["percent"] == 100
    response = api.post("rollout/rollback", token, {"to": "stage", "reason": "Errors at full traffic"})
    assert response.status_code == 200 and response.json()["stage"]["percent"] == 10
    response = api.post("rollout/rollback", token, {"to": "launch", "reason": "Still failing"})
    assert response.status_code == 200
    assert Plan.objects.get(pk=api.plan.pk).status == "rolled_back"


def _calls() -> list[tuple[str, dict[str, Any]]]:
    return [("rollout/advance", {}), ("rollout/rollback", {"to": "stage", "reason": "Errors"})]


@pytest.mark.parametrize(("tail", "body"), _calls())
def test_refusals_change_nothing(api: Api, tail: str, body: dict[str, Any], unchanged: Callable[[], Any]) -> None:
    _staged(api, current=2)
    good = api.token()
    lacking = api.token(["read", "metrics", "issues", "steps"])
    elsewhere = api.token(plan=api.world.other_plan)
    check = unchanged()
    for token in (None, "lct_00000000_nope"):
        assert api.post(tail, token, body).status_code == 401
    response = api.post(tail, lacking, body)
    assert response.status_code == 403 and "rollout" in response.json()["detail"]
    assert api.post(tail, elsewhere, body).status_code == 403
    with time_machine.travel(timezone.now() + timedelta(days=31)):  # the token has expired
        assert api.post(tail, good, body).status_code == 401
    check()


@pytest.mark.parametrize(
    ("tail", "body", "loc"),
    [
        ("rollout/advance", {"from_stage": "two"}, ["body", "from_stage"]),
        ("rollout/advance", {"from_stage": -1}, ["body", "from_stage"]),
        ("rollout/advance", {"stage": 1}, ["body", "stage"]),
        ("rollout/rollback", {"to": "stage"}, ["body", "reason"]),
        ("rollout/rollback", {"to": "stage", "reason": ""}, ["body", "reason"]),
        ("rollout/rollback", {"to": "stage", "reason": "   "}, ["body", "reason"]),
        ("rollout/rollback", {"to": "stage", "reason": "a\x00b"}, ["body", "reason"]),
        ("rollout/rollback", {"to": "yesterday", "reason": "Errors"}, ["body", "to"]),
        ("rollout/rollback", {"reason": "Errors"}, ["body", "to"]),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(
    api: Api, tail: str, body: dict[str, Any], loc: list[str], unchanged: Callable[[], Any]
) -> None:
    _staged(api, current=2)
    token = api.token(["rollout"])
    check = unchanged()
    response = api.post(tail, token, body)
    assert response.status_code == 400, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]], response.json()
    check()


def test_the_moment_refuses_with_every_reason_as_a_409(api: Api, unchanged: Callable[[], Any]) -> None:
    _staged(api, current=1, soak=timedelta(hours=1))
    token = api.token(["rollout"])
    check = unchanged()
    response = api.post("rollout/advance", token)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "soaks until" in detail and "Error rate has no reading since the 10 % stage started" in detail
    response = api.post("rollout/rollback", token, {"to": "stage", "reason": "Errors"})
    assert response.status_code == 409 and "first stage has no stage before it" in response.json()["detail"]
    check()
