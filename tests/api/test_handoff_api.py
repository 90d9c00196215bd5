"""The operations handoff through the API (scope ``read``): none, proposed, accepted (carried over) and
reverted (the launch reopened); 403 for a token without the scope or of another plan, 401 without one."""

from __future__ import annotations

import pytest

from plans.models import Plan, PlanStatus
from review import services as rs
from tests import factories
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _live(api: Api) -> Plan:
    Plan.objects.filter(pk=api.plan.pk).update(status=PlanStatus.LAUNCHED)  # test set-up
    api.plan.refresh_from_db()
    return api.plan


def test_no_handoff_then_proposed_accepted_and_reverted(api: Api) -> None:
    token = api.token(["read"])
    body = api.get("handoff", token).json()
    assert body["state"] == "none" and body["to_role"] is None and body["carried_items"] == []
    plan, w = _live(api), api.world
    factories.IssueFactory(plan=plan, owner_role=w.role_b, title="Slow reports", status="acknowledged")
    rs.handoff_propose(plan, by=w.coordinator, to_role=w.role_a, systems=["API"], runbooks=["Runbook"], contacts=[])
    body = api.get("handoff", token).json()
    assert body["state"] == "proposed" and body["to_role"] == w.role_a.name
    assert body["systems"] == ["API"] and body["runbooks"] == ["Runbook"] and body["contacts"] == []
    assert body["proposed_by"] and body["proposed_at"] and body["accepted_at"] is None
    assert body["carried_issues"] == []  # recorded on acceptance
    rs.handoff_accept(plan, by=w.users["owner"])
    body = api.get("handoff", token).json()
    assert body["state"] == "accepted" and body["plan_status"] == "closed" and body["accepted_at"]
    slow = next(c for c in body["carried_issues"] if "Slow reports" in c["title"])
    assert slow == {"title": slow["title"], "owner": w.role_b.name, "due": ""}
    assert slow["title"].endswith("Slow reports (High, acknowledged)")
    assert all(set(c) == {"title", "owner", "due"} for c in body["carried_items"] + body["carried_issues"])
    rs.plan_reopen(plan, by=w.coordinator, reason="Sev-1 on T+1")
    body = api.get("handoff", token).json()
    assert body["state"] == "reverted" and body["plan_status"] == "launched"
    assert body["reopen_reason"] == "Sev-1 on T+1" and body["reverted_at"] and body["reverted_by"]
    assert body["accepted_at"] and body["carried_issues"]  # kept


def test_refusals(api: Api) -> None:
    assert api.get("handoff", None).status_code == 401
    without = api.get("handoff", api.token(["metrics", "issues"]))
    assert without.status_code == 403 and "read" in without.json()["detail"]
    other = api.token(["read"], plan=api.world.other_plan)
    refused = api.get("handoff", other)
    assert refused.status_code == 403 and "another plan" in refused.json()["detail"]
    assert (
        api.client.get("/api/v1/plans/no-such-plan/handoff", headers={"Authorization": f"Bearer {other}"}).status_code
        == 403
    )
