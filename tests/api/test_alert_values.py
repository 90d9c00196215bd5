"""What an alert's value records: a firing alert's named value (or 1 when the route names none), nothing
for a resolved alert's value (it repeats the firing one), nothing when the named value is missing, and an
alert whose value is not a number does nothing itself while the rest of its notification acts."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from api.models import AlertRoute
from issues.models import Issue
from plans.models import Event, MetricReading, RollbackTrigger
from tests.api.conftest import Api
from tests.api.test_alerts import payload, resolved

pytestmark = pytest.mark.django_db


def am_alert(name: str, fingerprint: str, annotations: dict[str, str], **labels: str) -> dict[str, Any]:
    return {
        "status": "firing",
        "labels": {"alertname": name, **labels},
        "annotations": annotations,
        "startsAt": "2026-11-28T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": fingerprint,
    }


def notification(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {"version": "4", "status": "firing", "receiver": "launch-control", "alerts": list(alerts)}


def latency_route(api: Api) -> AlertRoute:
    return AlertRoute.objects.create(
        plan=api.plan, alertname="HighLatency", action="metric", metric=api.world.metric, value="value"
    )


def test_a_resolved_alert_does_not_record_its_firing_value_again(api: Api) -> None:
    """Alertmanager resends the last annotations with the resolved: the firing's 1500 is not a new reading
    at the moment it resolved (which would keep the metric in breach and pull an automatic trigger)."""
    latency_route(api)
    token = api.token(["metrics"])
    body = notification(am_alert("HighLatency", "lat1", {"summary": "slow", "value": "1500"}))
    assert api.post("alerts/alertmanager", token, body).json()["actions"] == ["HighLatency: reading Error rate = 1500"]
    done = api.post("alerts/alertmanager", token, resolved(body))
    assert done.status_code == 200, done.content
    assert done.json()["actions"] == [
        "HighLatency: no reading (a resolved alert repeats its firing value); Error rate's run of readings ends"
    ]
    assert [r.value for r in MetricReading.objects.filter(metric=api.world.metric)] == [Decimal(1500)]


def test_a_grafana_resolved_records_no_value_and_a_route_without_value_records_0(api: Api) -> None:
    AlertRoute.objects.create(
        plan=api.plan, alertname="High CPU usage", action="metric", metric=api.world.metric, value="B"
    )
    AlertRoute.objects.create(plan=api.plan, alertname="High memory usage", action="metric", metric=api.world.metric)
    token = api.token(["metrics"])
    body = payload("grafana.json")
    api.post("alerts/grafana", token, body)
    assert sorted(float(r.value) for r in MetricReading.objects.all()) == pytest.approx([1, 44.2394], abs=1e-4)
    api.post("alerts/grafana", token, resolved(body))
    values = sorted(float(r.value) for r in MetricReading.objects.all())
    assert values == pytest.approx([0, 1, 44.2394], abs=1e-4)  # the 0 of the route without a value only


@pytest.mark.parametrize("values", [{"C": 1}, None])
def test_a_named_value_that_is_missing_records_nothing_and_says_so(api: Api, values: Any) -> None:
    AlertRoute.objects.create(
        plan=api.plan, alertname="High CPU usage", action="metric", metric=api.world.metric, value="B"
    )
    body = payload("grafana.json")
    body["alerts"] = [copy.deepcopy(body["alerts"][1])]
    body["alerts"][0]["values"] = values
    response = api.post("alerts/grafana", api.token(["metrics"]), body)
    assert response.status_code == 200, response.content
    assert response.json()["actions"] == ["High CPU usage: no reading (B is missing from the alert)"]
    assert not MetricReading.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "250ms", "1,250", "Infinity", "1e20"])
def test_an_alert_with_a_bad_value_does_not_lose_the_page_beside_it(api: Api, value: str) -> None:
    """Alertmanager does not retry a 4xx: refusing the whole notification would lose the page alert."""
    latency_route(api)
    AlertRoute.objects.create(plan=api.plan, alertname="DiskFull", action="issue")
    body = notification(
        am_alert("DiskFull", "pg1", {"summary": "disk"}, severity="page"),
        am_alert("HighLatency", "lat9", {"value": value}),
    )
    response = api.post("alerts/alertmanager", api.token(["metrics", "issues"]), body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert len(out["actions"]) == 1 and out["actions"][0].startswith("DiskFull: opened issue #")
    assert [(r["index"], r["alert"]) for r in out["rejected"]] == [(1, "HighLatency")]
    assert "value" in out["rejected"][0]["reason"]
    assert Issue.objects.filter(plan=api.plan, title__startswith="DiskFull").count() == 1
    assert not MetricReading.objects.exists()


def test_a_grafana_value_the_metric_refuses_is_reported_with_its_index(api: Api) -> None:
    AlertRoute.objects.create(
        plan=api.plan, alertname="High CPU usage", action="metric", metric=api.world.metric, value="B"
    )
    AlertRoute.objects.create(
        plan=api.plan, alertname="High memory usage", action="trigger", trigger=api.world.rollback
    )
    body = payload("grafana.json")
    body["alerts"][1]["values"] = {"B": -3, "C": 1}  # an error rate (%) below zero
    response = api.post("alerts/grafana", api.token(["metrics", "issues"]), body)
    assert response.status_code == 200, response.content
    rejected = response.json()["rejected"]
    assert [r["index"] for r in rejected] == [1] and "below zero" in rejected[0]["reason"]
    assert not MetricReading.objects.exists()
    api.world.rollback.refresh_from_db()
    assert api.world.rollback.raised_at is not None  # the other alert acted


def test_a_resolved_alert_ends_the_run_so_its_last_value_pulls_no_trigger_later(api: Api) -> None:
    """Fired with 1,500 at 10:00 (the trigger: above 1,000 for 5 minutes), resolved at 10:02: at 10:06 the trigger
    is not in breach (the firing value was the last reading, and kept the clock running). Unresolved, it is."""
    from plans.metrics import readings_for_window, trigger_state
    from plans.services import triggers_evaluate

    latency_route(api)
    metric = api.world.metric
    trigger = RollbackTrigger.objects.create(
        plan=api.plan,
        description="Latency above 1,000 for 5 minutes",
        metric=metric,
        comparator=">",
        threshold=Decimal(1000),
        sustained_for=timedelta(minutes=5),
    )
    token = api.token(["metrics"])
    start = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    body = notification(am_alert("HighLatency", "lat1", {"value": "1500"}))
    body["alerts"][0]["startsAt"] = start.isoformat()

    def in_breach_at(moment: datetime) -> bool:
        metric.refresh_from_db()
        window = readings_for_window(metric, now=moment, window=timedelta(minutes=5))
        return trigger_state(trigger, window, now=moment).in_breach

    with time_machine.travel(start, tick=False):
        api.post("alerts/alertmanager", token, body)
    assert in_breach_at(start + timedelta(minutes=6))  # still firing: the run goes on
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        gone = resolved(body)
        gone["alerts"][0]["endsAt"] = (start + timedelta(minutes=2)).isoformat()
        assert api.post("alerts/alertmanager", token, gone).status_code == 200
    assert not in_breach_at(start + timedelta(minutes=6))
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        triggers_evaluate(metric)
    trigger.refresh_from_db()
    assert trigger.raised_at is None and Event.objects.filter(kind="metric.run_ended").count() == 1
    with time_machine.travel(start + timedelta(minutes=8), tick=False):  # it fires again: a new run
        again = notification(am_alert("HighLatency", "lat1", {"value": "1400"}))
        again["alerts"][0]["startsAt"] = (start + timedelta(minutes=8)).isoformat()
        api.post("alerts/alertmanager", token, again)
    assert in_breach_at(start + timedelta(minutes=14)) and not in_breach_at(start + timedelta(minutes=12))


def test_a_route_the_plan_refuses_rejects_its_alert_only(api: Api) -> None:
    """A trigger route pointing at an automatic trigger (its metric's readings raise it) is refused for that
    alert; the page alert beside it in the same notification still opens its issue (it was a 409 for all)."""
    automatic = RollbackTrigger.objects.create(
        plan=api.plan, description="Errors", metric=api.world.metric, comparator=">", threshold=Decimal(5)
    )
    AlertRoute.objects.create(plan=api.plan, alertname="ErrorsHigh", action="trigger", trigger=automatic)
    AlertRoute.objects.create(plan=api.plan, alertname="DiskFull", action="issue", owner_role=api.world.role_a)
    body = notification(am_alert("ErrorsHigh", "e1", {}), am_alert("DiskFull", "d1", {"summary": "disk"}))
    response = api.post("alerts/alertmanager", api.token(["metrics", "issues"]), body)
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == [
        {"index": 0, "alert": "ErrorsHigh", "reason": "This trigger is automatic: its metric's readings raise it."}
    ]
    assert Issue.objects.filter(plan=api.plan, title="DiskFull: disk").exists()
    automatic.refresh_from_db()
    assert automatic.raised_at is None
