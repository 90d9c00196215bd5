"""Reopening a launch the handoff closed (review.services.plan_reopen): the coordinator only, with a reason;
the launch goes back to the state it was closed from, its launch day is writable again, the handoff is
marked reverted (kept, with its acceptance) and the board, the review and its exports say so. And the
handoff in the review's exports (handoff.csv, handoff-carried.csv in review-data.zip)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from checklists import services as cs
from checklists.models import ItemStatus
from plans.models import Event, Plan, PlanStatus
from review import services as rs
from review.models import Handoff, HandoffStatus
from tests import factories
from tests.review.test_handoff import _closed, _plan, _propose, who

pytestmark = pytest.mark.django_db


def test_only_the_coordinator_reopens_with_a_reason(coordinator: User) -> None:
    plan, ops, support = _closed(coordinator)
    for refused in (who(ops), who(support), factories.UserFactory()):
        with pytest.raises(PermissionDenied):
            rs.plan_reopen(plan, by=refused, reason="Sev-1 on T+1")
    with pytest.raises(ValidationError, match="Say why"):
        rs.plan_reopen(plan, by=coordinator, reason="  ")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert Handoff.objects.get(plan=plan).status == HandoffStatus.ACCEPTED


def test_a_plan_not_closed_is_not_reopened(coordinator: User) -> None:
    plan, ops, _ = _plan(coordinator)
    _propose(plan, coordinator, ops)
    with pytest.raises(ValidationError, match="Only a closed launch"):
        rs.plan_reopen(plan, by=coordinator, reason="Sev-1")


def test_reopening_reverts_the_handoff_and_opens_the_launch_day(coordinator: User) -> None:
    plan, ops, support = _closed(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=support)
    rs.plan_reopen(plan, by=coordinator, reason="Sev-1 the day after: payments down")
    assert plan.status == PlanStatus.LAUNCHED  # the state it was closed from
    handoff = Handoff.objects.get(plan=plan)
    assert handoff.status == HandoffStatus.REVERTED
    assert handoff.reverted_by == coordinator and handoff.revert_reason == "Sev-1 the day after: payments down"
    assert handoff.accepted_by == who(ops) and handoff.accepted_at is not None  # kept, not deleted
    assert cs.item_tick(item, by=who(support)).status == ItemStatus.DONE  # the launch day is writable again
    step, state = Event.objects.filter(plan=plan).order_by("-pk")[1:3]
    assert step.kind == "review.handoff" and step.data["step"] == "reverted"
    assert state.kind == "plan.state" and state.data == {
        "from": "closed",
        "to": "launched",
        "reason": "Sev-1 the day after: payments down",
    }
    # A new proposal and acceptance close it again; the reversal stays on record.
    _propose(plan, coordinator, ops)
    rs.handoff_accept(plan, by=who(ops))
    handoff.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and handoff.status == HandoffStatus.ACCEPTED
    assert handoff.revert_reason.startswith("Sev-1")


def test_the_reopen_view_is_the_coordinators(coordinator: User) -> None:
    plan, ops, support = _closed(coordinator)
    url = f"/plans/{plan.slug}/post-launch/reopen/"
    body = {"reason": "Sev-1", "confirm": "on"}
    for user in (who(ops), who(support)):
        client = Client()
        client.force_login(user)
        assert client.post(url, body).status_code == 403
        page = client.get(f"/plans/{plan.slug}/post-launch/").content.decode()
        assert "reopen-form" not in page
    stranger = Client()
    stranger.force_login(factories.UserFactory())
    assert stranger.post(url, body).status_code in (403, 404)
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/plans/{plan.slug}/post-launch/").content.decode()
    assert 'id="reopen-form"' in page
    unconfirmed = client.post(url, {"reason": "Sev-1"}, follow=True).content.decode()
    assert "tick the box to confirm" in unconfirmed
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    done = client.post(url, {"reason": "Sev-1 <script>x</script>", "confirm": "on"}, follow=True)
    html = done.content.decode()
    assert "Launch reopened" in html and 'id="reopened-banner"' in html and "closed-banner" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert 'id="reopen-form"' not in html and 'class="stack-form" id="handoff-propose"' in html  # propose again
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED
    review = client.get(f"/plans/{plan.slug}/review/").content.decode()
    assert 'id="review-reopened"' in review and "reverted" in review
    md = client.get(f"/plans/{plan.slug}/review.md").content.decode()
    assert "reverted: launch reopened by" in md and "Sev-1" in md
    decisions = client.get(f"/plans/{plan.slug}/decisions.csv").content.decode()
    assert "Closed → Launched (reopened)" in decisions
    board = client.get(f"/plans/{plan.slug}/warroom/").content.decode()
    assert "wr-closed" not in board


def _zip(client: Client, plan: Plan) -> dict[str, list[dict[str, str]]]:
    response = client.get(f"/plans/{plan.slug}/review-data.zip")
    assert response.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(response.content))
    return {n.split("/")[1]: list(csv.DictReader(io.StringIO(z.read(n).decode()))) for n in z.namelist()}


def test_the_zip_has_the_handoff_and_what_it_carried(coordinator: User) -> None:
    plan, ops, support = _plan(coordinator)
    client = Client()
    client.force_login(coordinator)
    assert _zip(client, plan)["handoff.csv"] == []  # no handoff: the header alone
    factories.ItemFactory(checklist__plan=plan, checklist__role=support, title="=Archive the notes")
    factories.IssueFactory(plan=plan, owner_role=support, title="Slow reports", status="acknowledged")
    _propose(plan, coordinator, ops)
    files = _zip(client, plan)
    assert [(r["kind"], r["item"], r["status"]) for r in files["handoff.csv"]] == [
        ("system", "LMS", "proposed"),
        ("runbook", "Rollback runbook", "proposed"),
        ("contact", "Vendor desk", "proposed"),
    ]
    assert files["handoff-carried.csv"] == []  # carried over only on acceptance
    rs.handoff_accept(plan, by=who(ops))
    rs.plan_reopen(plan, by=coordinator, reason="Sev-1 on T+1")
    files = _zip(client, plan)
    row = files["handoff.csv"][0]
    assert row["to_role"] == "Operations" and row["status"] == "reverted"
    assert row["proposed_by"] and row["proposed_at"] and row["accepted_by"] and row["accepted_at"]
    assert row["reverted_at"] and row["reopen_reason"] == "Sev-1 on T+1"
    carried = files["handoff-carried.csv"]
    assert [(c["kind"], c["owner_role"]) for c in carried] == [("item", "Support"), ("issue", "Support")]
    assert carried[0]["title"] == "'=Archive the notes"  # no formula in a spreadsheet
    assert carried[1]["title"].startswith("#") and carried[0]["carried_over_at"] == row["accepted_at"]
