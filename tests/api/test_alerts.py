"""The alert receivers, with the payloads of the Alertmanager and Grafana documentation (payloads/): a
firing alert raises what the plan's routes say, its resolved clears it, a resent firing does nothing new,
a resolved that comes first leaves nothing to do for its late firing."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from api.models import AlertReceipt, AlertRoute
from issues.models import Issue
from plans.models import Event, MetricReading, RollbackTrigger
from plans.runbook.selectors import trigger_raised_via
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db
PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def resolved(body: dict[str, Any], minutes: int = 10) -> dict[str, Any]:
    """The same notification once the alerts are over, as the senders send it."""
    out = copy.deepcopy(body)
    out["status"] = "resolved"
    for alert in out["alerts"]:
        alert["status"] = "resolved"
        start = alert["startsAt"].replace("Z", "+00:00")
        alert["endsAt"] = (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat()
    return out


def counts(api: Api) -> tuple[int, int, int, int]:
    return (
        Issue.objects.filter(plan=api.plan).count(),
        Event.objects.filter(plan=api.plan).count(),
        MetricReading.objects.count(),
        type(api.plan).objects.get(pk=api.plan.pk).revision,
    )


def route(api: Api, alertname: str, action: str, **fields: Any) -> AlertRoute:
    return AlertRoute.objects.create(plan=api.plan, alertname=alertname, action=action, **fields)


@pytest.fixture
def probe_route(api: Api) -> AlertRoute:
    return AlertRoute.objects.create(
        plan=api.plan,
        alertname="ProbeFailure",
        labels={"job": "http_checks"},
        action="issue",
        owner_role=api.world.role_a,
    )


def test_alertmanager_firing_opens_an_issue_and_resolved_resolves_it(api: Api, probe_route: AlertRoute) -> None:
    token = api.token(["issues"])
    body = payload("alertmanager-v4.json")
    response = api.post("alerts/alertmanager", token, body)
    assert response.status_code == 200, response.content
    assert response.json()["received"] == 1 and response.json()["ignored"] == 0
    issue = Issue.objects.get(plan=api.plan, title__startswith="ProbeFailure")
    assert issue.title == "ProbeFailure: BlackBox Probe Failure: https://server.example.org"
    assert issue.severity == "critical" and issue.owner_role == api.world.role_a  # from the severity label
    assert issue.status == "open"
    after_firing = counts(api)
    # Alertmanager resends the firing group every repeat_interval: nothing new.
    again = api.post("alerts/alertmanager", token, body)
    assert again.json()["duplicates"] == 1 and counts(api) == after_firing
    # Resolved: the issue is resolved, once.
    done = api.post("alerts/alertmanager", token, resolved(body))
    assert done.status_code == 200 and "resolved issue" in done.json()["actions"][0]
    issue.refresh_from_db()
    assert issue.status == "resolved" and "ProbeFailure resolved" in issue.resolution
    after_resolved = counts(api)
    assert api.post("alerts/alertmanager", token, resolved(body)).json()["duplicates"] == 1
    assert api.post("alerts/alertmanager", token, body).json()["duplicates"] == 1  # a late resend of the firing
    assert counts(api) == after_resolved


def test_a_resolved_before_its_firing_leaves_the_late_firing_nothing_to_do(api: Api, probe_route: AlertRoute) -> None:
    token = api.token(["issues"])
    body = payload("alertmanager-v4.json")
    first = api.post("alerts/alertmanager", token, resolved(body))
    assert first.status_code == 200 and "before its firing" in first.json()["actions"][0]
    before = counts(api)
    late = api.post("alerts/alertmanager", token, body)
    assert late.json()["duplicates"] == 1 and counts(api) == before
    assert not Issue.objects.filter(title__startswith="ProbeFailure").exists()
    # The same alert starting again later is a new occurrence (a new startsAt): it acts.
    body["alerts"][0]["startsAt"] = "2023-02-06T14:00:00Z"
    assert api.post("alerts/alertmanager", token, body).json()["duplicates"] == 0
    assert Issue.objects.filter(title__startswith="ProbeFailure").count() == 1


def test_grafana_firing_raises_a_trigger_and_records_a_reading_and_resolved_clears(api: Api) -> None:
    trigger = api.world.rollback  # discretionary: the alert stands for the person who would pull it
    route(api, "High memory usage", "trigger", trigger=trigger)
    AlertRoute.objects.create(
        plan=api.plan,
        alertname="High CPU usage",
        labels={"zone": "eu-1"},
        action="metric",
        metric=api.world.metric,
        value="B",
    )
    token = api.token(["metrics", "issues"])
    body = payload("grafana.json")
    response = api.post("alerts/grafana", token, body)
    assert response.status_code == 200, response.content
    trigger.refresh_from_db()
    assert trigger.raised_at is not None and "High memory usage firing" in trigger.raised_reason
    reading = MetricReading.objects.get(metric=api.world.metric)
    assert float(reading.value) == pytest.approx(44.2394, abs=1e-4)
    assert Event.objects.filter(plan=api.plan, kind="rollback.raised").count() == 1
    assert trigger_raised_via(trigger) == "alert"  # what the alarm's message says raised it
    before = counts(api)
    assert api.post("alerts/grafana", token, body).json()["duplicates"] == 2 and counts(api) == before
    done = api.post("alerts/grafana", token, resolved(body))
    assert done.status_code == 200
    trigger.refresh_from_db()
    assert trigger.raised_at is None
    assert Event.objects.filter(plan=api.plan, kind="rollback.cleared").count() == 1
    assert MetricReading.objects.filter(metric=api.world.metric).count() == 1  # not the resolved's stale B


def test_a_trigger_a_person_pulled_is_not_cleared_by_an_alert(api: Api) -> None:
    from plans.runbook.services import rollback_trigger_raise

    trigger = api.world.rollback
    route(api, "High memory usage", "trigger", trigger=trigger)
    token = api.token(["issues"])
    body = payload("grafana.json")
    api.post("alerts/grafana", token, resolved(body))  # (resolved first: nothing)
    rollback_trigger_raise(trigger, by=api.world.users["owner"], reason="I saw data loss")
    body["alerts"][0]["startsAt"] = timezone.now().isoformat()
    api.post("alerts/grafana", token, body)
    api.post("alerts/grafana", token, resolved(body))
    trigger.refresh_from_db()
    assert trigger.raised_at is not None and trigger.raised_reason == "I saw data loss"


def test_alerts_no_route_matches_are_ignored(api: Api, probe_route: AlertRoute) -> None:
    token = api.token(["issues"])
    before = counts(api)
    response = api.post("alerts/grafana", token, payload("grafana.json"))
    assert response.json() == {"received": 2, "ignored": 2, "duplicates": 0, "actions": [], "rejected": []}
    assert counts(api) == before and not AlertReceipt.objects.exists()


def test_the_token_needs_the_scopes_of_what_the_routes_do(api: Api, probe_route: AlertRoute, unchanged: Any) -> None:
    token = api.token(["metrics"])  # the route opens issues
    check = unchanged()
    response = api.post("alerts/alertmanager", token, payload("alertmanager-v4.json"))
    assert response.status_code == 403 and "issues" in response.json()["detail"]
    assert api.post("alerts/alertmanager", None, payload("alertmanager-v4.json")).status_code == 401
    check()


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (lambda b: b.update(version="3"), ["body", "version"]),
        (lambda b: b.update(status="pending"), ["body", "status"]),
        (lambda b: b["alerts"][0].update(startsAt="yesterday"), ["body", "alerts", 0, "startsAt"]),
        (lambda b: b["alerts"][0].update(startsAt="2023-02-06T13:08:45"), ["body", "alerts", 0, "startsAt"]),
        (lambda b: b["alerts"][0].pop("fingerprint"), ["body", "alerts", 0, "fingerprint"]),
        (lambda b: b["alerts"][0].update(status="firingg"), ["body", "alerts", 0, "status"]),
        (lambda b: b["alerts"][0].update(labels={"alertname": 5}), ["body", "alerts", 0, "labels", "alertname"]),
        (lambda b: b.pop("alerts"), ["body", "alerts"]),
    ],
)
def test_a_malformed_notification_is_a_400_and_changes_nothing(
    api: Api, probe_route: AlertRoute, change: Any, loc: list[Any], unchanged: Any
) -> None:
    token = api.token(["issues"])
    body = payload("alertmanager-v4.json")
    change(body)
    check = unchanged()
    response = api.post("alerts/alertmanager", token, body)
    assert response.status_code == 400, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    check()


def test_an_alert_whose_value_is_not_a_number_does_nothing_and_the_others_act(api: Api) -> None:
    """A metric route whose value is not a number refuses that alert only (reported with its index); the
    trigger of the other alert is raised."""
    AlertRoute.objects.create(
        plan=api.plan, alertname="High memory usage", action="trigger", trigger=api.world.rollback
    )
    AlertRoute.objects.create(
        plan=api.plan, alertname="High CPU usage", action="metric", metric=api.world.metric, value="zone"
    )
    token = api.token(["metrics", "issues"])
    response = api.post("alerts/grafana", token, payload("grafana.json"))
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == [
        {"index": 1, "alert": "High CPU usage", "reason": "zone = 'eu-1' is not a number."}
    ]
    assert not MetricReading.objects.exists()
    assert AlertReceipt.objects.get().alertname == "High memory usage"
    assert RollbackTrigger.objects.get(pk=api.world.rollback.pk).raised_at is not None


def test_an_alerts_text_cannot_reverse_the_pages_text(api: Api, probe_route: AlertRoute) -> None:
    """A text-direction override in an alert's summary would reverse what the pages print after it ("#3 ...
    owner" read backwards): dropped, as control characters are; a person typing one is refused instead."""
    body = payload("alertmanager-v4.json")
    for alert in body["alerts"]:
        alert["annotations"]["summary"] = "Probe \u202egnp.exe\u202c down\x07 \u2067x\u2069"
    assert api.post("alerts/alertmanager", api.token(["issues"]), body).status_code == 200
    issue = Issue.objects.get(plan=api.plan, title__startswith="ProbeFailure")
    assert "\u202e" not in issue.title and "\u2067" not in issue.title and "\x07" not in issue.title
    assert "Probe gnp.exe down x" in issue.title
