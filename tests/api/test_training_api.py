"""Readiness through the API (issue 13): the figures per audience (scope ``read``) and attendance recorded
with scope ``training``; 403 without the scope, 404 for someone not expected, 400 for an unknown session."""

from __future__ import annotations

import pytest

from plans.models import Event
from readiness.models import Attendee
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

TAIL = "readiness/support-team/attendance"


def test_the_figures_per_audience(api: Api) -> None:
    body = api.get("readiness", api.token(["read"])).json()
    assert body == [
        {
            "audience": "Support team",
            "slug": "support-team",
            "expected": 1,
            "completed": 0,
            "percent": 0,
            "missing": ["ana@example.com"],
        }
    ]


def test_attendance_is_recorded_with_the_training_scope(api: Api) -> None:
    response = api.post(TAIL, api.token(["training"]), {"email": "ANA@example.com", "session": "intensive"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["completed"] is True and body["track"]["percent"] == 100 and body["track"]["missing"] == []
    ana = Attendee.objects.get(email="ana@example.com")
    assert ana.completed_at is not None and ana.attended is not None and ana.attended.title == "Intensive"
    assert Event.objects.filter(kind="readiness.attendance").count() == 1
    again = api.post(TAIL, api.token(["training"]), {"email": "ana@example.com", "session": "Intensive"})
    assert again.status_code == 200 and Event.objects.filter(kind="readiness.attendance").count() == 1


@pytest.mark.parametrize(
    ("scopes", "body", "code"),
    [
        (["read"], {"email": "ana@example.com"}, 403),
        (["training"], {"email": "nobody@example.com"}, 404),
        (["training"], {"email": "ana@example.com", "session": "Yoga"}, 400),
        (["training"], {"email": "ana@example.com", "completed": "perhaps"}, 400),
    ],
)
def test_refusals_change_nothing(api: Api, scopes: list[str], body: dict, code: int) -> None:
    response = api.post(TAIL, api.token(scopes), body)
    assert response.status_code == code, response.content
    assert "detail" in response.json()
    assert not Attendee.objects.filter(completed_at__isnull=False).exists()


def test_each_refusal_says_what_is_wrong(api: Api) -> None:
    token = api.token(["training"])
    nope = api.post(TAIL.replace("support-team", "nope"), token, {"email": "ana@example.com"})
    assert nope.status_code == 404 and nope.json() == {"detail": "No training track “nope” in this plan."}
    yoga = api.post(TAIL, token, {"email": "ana@example.com", "session": "Yoga"})
    assert yoga.status_code == 400
    assert yoga.json() == {
        "detail": [{"loc": ["body", "session"], "msg": "The track has no session “Yoga”.", "type": "value_error"}]
    }
