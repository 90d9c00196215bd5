"""The plan's live state in one call, with an ETag; readings one at a time or in a batch; CI reporting a
step done; an issue's life through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_the_state_has_everything_in_one_call(api: Api) -> None:
    token = api.token(["read"])
    body = api.get("", token).json()
    assert body["slug"] == "guarded" and body["state"] == api.plan.status and body["t0"].startswith("2026-12-01")
    assert {"planned_end", "end", "slip_seconds", "at_risk"} <= set(body["forecast"])
    assert [g["slug"] for g in body["gates"]] == ["go-no-go"]
    assert [i["title"] for i in body["open_issues"]] == ["Checkout slow"]
    assert [m["slug"] for m in body["metrics"]] == ["error-rate"] and body["metrics"][0]["latest"] is None
    assert [t["description"] for t in body["rollback_triggers"]] == ["Data loss"]
    assert [s["name"] for s in body["steps"]] == ["Cut over DNS"]
    assert body["steps"][0]["forecast_end"] is not None


def test_the_etag_answers_304_until_the_plan_changes(api: Api) -> None:
    token = api.token()
    first = api.get("", token)
    tag = first["ETag"]
    again = api.get("", token, **{"If-None-Match": tag})
    assert again.status_code == 304 and again["ETag"] == tag and not again.content
    assert api.post("metrics/error-rate/readings", token, {"value": 0.2}).status_code == 201
    changed = api.get("", token, **{"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert changed.json()["metrics"][0]["latest"]["meets"] is False


def test_if_none_match_compares_weakly_and_star_matches(api: Api) -> None:
    """RFC 9110 §13.1.2: a cache or proxy may send the tag back weakened (``W/"…"``); ``*`` matches any."""
    token = api.token()
    tag = api.get("", token)["ETag"]
    for header in (f"W/{tag}", "*", f'"other", W/{tag}'):
        assert api.get("", token, **{"If-None-Match": header}).status_code == 304, header
    assert api.get("", token, **{"If-None-Match": 'W/"other"'}).status_code == 200


def test_the_etag_moves_with_the_clock_too(api: Api) -> None:
    token = api.token()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        tag = api.get("", token)["ETag"]
        clock.shift(timedelta(seconds=61))
        assert api.get("", token, **{"If-None-Match": tag}).status_code == 200


def test_a_batch_of_readings_is_all_or_nothing(api: Api) -> None:
    from plans.models import MetricReading

    token = api.token(["metrics"])
    now = timezone.now()
    batch = [{"value": 0.05, "at": (now - timedelta(minutes=m)).isoformat()} for m in (3, 2, 1)]
    response = api.post("metrics/error-rate/readings", token, {"readings": batch})
    assert response.status_code == 201 and len(response.json()["readings"]) == 3
    assert MetricReading.objects.filter(metric=api.world.metric).count() == 3
    bad = [*batch, {"value": "1e99"}]
    assert api.post("metrics/error-rate/readings", token, {"readings": bad}).status_code == 400
    assert MetricReading.objects.filter(metric=api.world.metric).count() == 3
    assert MetricReading.objects.order_by("recorded_at").first().value == Decimal("0.0500")  # type: ignore[union-attr]


def test_a_reading_in_breach_raises_the_metric_trigger(api: Api) -> None:
    from plans.models import RollbackTrigger

    RollbackTrigger.objects.create(
        plan=api.plan, description="Errors over 1 %", metric=api.world.metric, comparator=">", threshold=1
    )
    token = api.token(["metrics"])
    response = api.post(f"metrics/{api.world.metric.pk}/readings", token, {"value": 2.5})
    assert response.json()["triggers_in_breach"] == ["Errors over 1 %"]


def test_a_pipeline_reports_a_step_started_and_done(api: Api) -> None:
    token = api.token(["steps"])
    started = api.post("steps/cut-over-dns/start", token)
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert api.post("steps/cut-over-dns/start", token).json()["status"] == "in_progress"  # idempotent
    done = api.post("steps/cut-over-dns/finish", token, {"note": "deploy 1.4.2 done"})
    assert done.json()["status"] == "done" and done.json()["actual_finish"]


def test_an_issue_raised_acknowledged_and_resolved(api: Api) -> None:
    token = api.token(["issues"])
    raised = api.post("issues", token, {"title": "Payments 502", "severity": "critical"}).json()
    number = raised["number"]
    assert raised["status"] == "open"
    assert api.post(f"issues/{number}/acknowledge", token).json()["status"] == "acknowledged"
    resolved = api.post(f"issues/{number}/resolve", token, {"resolution": "Restarted the gateway"}).json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    state = api.get("", api.token(["read"])).json()
    assert number not in [i["number"] for i in state["open_issues"]]


def test_the_token_acts_on_its_own_plan_only(api: Api) -> None:
    """The service identity has the coordinator's rights on its plan and none anywhere else, even through
    the services directly."""
    from django.core.exceptions import PermissionDenied

    from api.models import ApiToken
    from issues.services import issue_open

    api.token(name="bot")
    identity = ApiToken.objects.get(name="bot").identity
    identity.token_plan_id = api.plan.pk  # type: ignore[attr-defined]  # as api.auth sets it
    issue_open(api.plan, by=identity, title="From the bot", severity="low")
    with pytest.raises(PermissionDenied):
        issue_open(api.world.other_plan, by=identity, title="Elsewhere", severity="low")
    fresh = ApiToken.objects.get(name="bot").identity  # without the request's mark: no rights at all
    with pytest.raises(PermissionDenied):
        issue_open(api.plan, by=fresh, title="Unmarked", severity="low")


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({}, ["body", "value"], "Send value (one reading) or readings (a batch): neither was sent."),
        ({"value": 1, "readings": [{"value": 2}]}, ["body", "value"], "Send either value (one reading) or"),
        ({"value": 1, "at": "0001-01-01T00:00:00Z"}, ["body", "at"], "The reading's time (at) must lie between"),
    ],
)
def test_a_refused_reading_says_what_is_wrong(api: Api, body: dict, loc: list, msg: str) -> None:
    response = api.post("metrics/error-rate/readings", api.token(["metrics"]), body)
    assert response.status_code == 400, response.content
    [fault] = response.json()["detail"]
    assert fault["loc"] == loc and fault["msg"].startswith(msg), fault


def test_a_reading_recorded_by_mistake_is_withdrawn_once_with_a_reason(api: Api) -> None:
    """A pipeline sent milliseconds as seconds: 1500 % error rate raised the alarm. It withdraws the reading by
    the id its recording answered with; the alarm clears, a retry changes nothing, a reason is needed, another
    plan's reading is not found, and a token without the metrics scope is refused."""
    from plans.models import Event, MetricReading, RollbackTrigger

    RollbackTrigger.objects.create(  # (test set-up) triggers come from the plan file
        plan=api.plan, description="Error rate above 1 %", metric=api.world.metric, comparator=">", threshold=1
    )
    token = api.token(["metrics"])
    recorded = api.post("metrics/error-rate/readings", token, {"value": 1500}).json()
    assert recorded["triggers_in_breach"] == ["Error rate above 1 %"]
    reading = recorded["readings"][0]["id"]
    assert api.post(f"readings/{reading}/withdraw", token, {"reason": ""}).status_code == 400
    assert api.post(f"readings/{reading}/withdraw", api.token(["read"]), {"reason": "x"}).status_code == 403
    done = api.post(f"readings/{reading}/withdraw", token, {"reason": "ms sent as s"})
    assert done.status_code == 200
    assert done.json() == {"withdrawn": True, "metric": "Error rate", "triggers_in_breach": []}
    assert not MetricReading.objects.filter(pk=reading).exists()
    event = Event.objects.get(kind="metric.reading_withdrawn")
    assert event.data["reading"] == reading and event.data["reason"] == "ms sent as s"
    again = api.post(f"readings/{reading}/withdraw", token, {"reason": "ms sent as s"})
    assert again.status_code == 200 and again.json()["withdrawn"] is False
    assert Event.objects.filter(kind="metric.reading_withdrawn").count() == 1
    assert api.post(f"readings/{reading + 999}/withdraw", token, {"reason": "x"}).status_code == 404


def test_the_state_says_a_gate_is_overdue_and_t0_passed_without_a_launch(api: Api) -> None:
    """What the board shows, a bot polling the API can read: a gate whose decision was due and is not taken
    (``overdue_since``: when it was due; the board's OVERDUE) and T-0 passed with the launch not declared
    (``awaiting_launch_since``: T-0; the board's "passed, not launched"). Both null before and once settled."""
    from datetime import UTC, datetime

    from checklists.models import Gate, GateStatus
    from plans.models import Plan, PlanStatus

    t0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    token = api.token(["read"])
    with time_machine.travel(t0 - timedelta(hours=2), tick=False):
        body = api.get("", token).json()
    assert body["gates"][0]["overdue_since"] is None and body["awaiting_launch_since"] is None
    with time_machine.travel(t0 + timedelta(minutes=20), tick=False):
        body = api.get("", token).json()
        assert body["gates"][0]["overdue_since"] == "2026-12-01T11:00:00Z"  # due at T-1h, still pending
        assert body["awaiting_launch_since"] == "2026-12-01T12:00:00Z"
        Gate.objects.filter(pk=api.world.gate.pk).update(status=GateStatus.PASSED)  # (test set-up)
        Plan.objects.filter(pk=api.plan.pk).update(status=PlanStatus.LAUNCHED, revision=api.plan.revision + 5)
        body = api.get("", token).json()
    assert body["gates"][0]["overdue_since"] is None and body["awaiting_launch_since"] is None
