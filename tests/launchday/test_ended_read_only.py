"""An aborted or rolled-back launch is read-only on its launch day, as a closed one is (``plans.closing``):
the services refuse a tick, a step's start, a vote, a gate's decision or poll, and say why; the role and
gate pages offer no tick, Start, Finish, vote or decision, and say the launch has ended. What still goes on
goes on: the procedure the abort or rollback called is worked on the plan page, and the review's follow-up
actions are ticked on their owners' role pages. (The role page offered every tick and Start after an abort,
and a tick after it counted in the review as work done.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from checklists import services as cs
from checklists.models import GateStatus, ItemStatus
from plans import services as ps
from plans.closing import PlanClosed
from plans.models import Plan, PlanStatus, StepStatus
from plans.runbook import services as runbook
from plans.runbook.models import Procedure, ProcedureKind, ProcedureStep
from review import services as rs
from roles.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
ENDINGS = [
    pytest.param(PlanStatus.ABORTED, "aborted", ProcedureKind.ABORT, id="aborted"),
    pytest.param(PlanStatus.ROLLED_BACK, "rolled back", ProcedureKind.ROLLBACK, id="rolled-back"),
]


def primary(role: Role) -> User:
    assert role.primary is not None
    return role.primary


def _ended(coordinator: User, status: str, kind: str) -> tuple[Plan, Role, dict[str, Any]]:
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.LAUNCHED)
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    rows: dict[str, Any] = {
        "item": factories.ItemFactory(checklist__plan=plan, checklist__role=dba, title="Verify replication"),
        "step": factories.StepFactory(plan=plan, lead_role=dba, name="Migrate the schema", offset=timedelta(0)),
        "gate": factories.GateFactory(plan=plan, authority_role=dba, name="Go/No-Go", slug="go-no-go"),
    }
    procedure = Procedure.objects.create(plan=plan, name="Back out", kind=kind, lead_role=dba)
    rows["procedure_step"] = ProcedureStep.objects.create(procedure=procedure, name="Restore the snapshot")
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        ps.plan_transition(plan, to=status, by=coordinator, reason="Payments <b>fail</b> in production")
    plan.refresh_from_db()
    assert plan.status == status and plan.has_ended
    return plan, dba, rows


@pytest.mark.parametrize(("status", "said", "kind"), ENDINGS)
def test_the_services_refuse_launch_day_writes_and_say_why(
    coordinator: User, status: str, said: str, kind: str
) -> None:
    plan, dba, rows = _ended(coordinator, status, kind)
    item, step, gate = rows["item"], rows["step"], rows["gate"]
    writes: list[Callable[[], Any]] = [
        lambda: cs.item_tick(item, by=primary(dba)),
        lambda: cs.step_start(step, by=primary(dba)),
        lambda: cs.gate_open_poll(gate, by=primary(dba)),
        lambda: cs.gate_decide(gate, by=primary(dba), decision="go", reason=""),
    ]
    for write in writes:
        with pytest.raises(PlanClosed, match=f"The launch was {said}, so its launch day"):
            write()
    item.refresh_from_db()
    step.refresh_from_db()
    gate.refresh_from_db()
    assert (item.status, step.status, gate.status) == (ItemStatus.OPEN, StepStatus.PENDING, GateStatus.PENDING)
    # the procedure the decision called is worked now, and the review's follow-up actions stay open
    marked = runbook.procedure_step_mark(rows["procedure_step"], by=primary(dba), done=True)
    assert marked.done_at is not None
    follow_up = rs.followup_add(plan, by=coordinator, title="Fix payments", owner_role=dba, due_date=date(2026, 12, 9))
    assert follow_up.item is not None
    assert cs.item_tick(follow_up.item, by=primary(dba)).status == ItemStatus.DONE


@pytest.mark.parametrize(("status", "said", "kind"), ENDINGS)
def test_the_role_page_offers_no_tick_but_the_follow_ups(coordinator: User, status: str, said: str, kind: str) -> None:
    plan, dba, rows = _ended(coordinator, status, kind)
    client = Client()
    client.force_login(primary(dba))
    assert (
        "follow-up actions" not in client.get(reverse("checklists:role", args=[plan.slug, dba.slug])).content.decode()
    )
    follow_up = rs.followup_add(plan, by=coordinator, title="Fix payments", owner_role=dba, due_date=date(2026, 12, 9))
    assert follow_up.item is not None
    page = client.get(reverse("checklists:role", args=[plan.slug, dba.slug])).content.decode()
    assert f"The launch was {said}: this checklist can no longer change" in page
    assert "procedure is on" in page
    assert f"Tick “{rows['item'].title}”" not in page  # the launch's own item: read-only
    assert 'data-action="start"' not in page and 'data-action="finish"' not in page
    assert "Tick “Fix payments”" in page  # the follow-up action: still ticked here
    assert "The follow-up actions from the review can still be ticked." in page
    # a page left open since before the abort learns it with its next live fetch: the rows turn read-only and
    # the notice comes with them (the banner under the role's name, swapped out of band)
    live = client.get(reverse("checklists:role_rows", args=[plan.slug, dba.slug]), HTTP_HX_REQUEST="true")
    fetched = live.content.decode()
    banner = fetched.split('<div id="role-hold" hx-swap-oob="true">', 1)[1].split("</div>", 1)[0]
    assert f"The launch was {said}: this checklist can no longer change" in banner
    assert f"Tick “{rows['item'].title}”" not in fetched and "Tick “Fix payments”" in fetched
    # a tick posted anyway (a page left open since before the abort) is refused and says why
    url = reverse("checklists:item_set", args=[plan.slug, dba.slug, rows["item"].pk])
    response = client.post(url, {"status": "done", "version": rows["item"].version}, follow=True)
    assert f"The launch was {said}" in response.content.decode()
    rows["item"].refresh_from_db()
    assert rows["item"].status == ItemStatus.OPEN


@pytest.mark.parametrize(("status", "said", "kind"), ENDINGS)
def test_the_gate_page_offers_no_vote_or_decision(coordinator: User, status: str, said: str, kind: str) -> None:
    plan, dba, rows = _ended(coordinator, status, kind)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("checklists:gate", args=[plan.slug, rows["gate"].slug])).content.decode()
    assert f"The launch was {said}: this gate can no longer change." in page
    assert f"Never decided: the launch was {said}." in page and "Cannot pass yet" not in page
    for action in ("gate_open_poll", "gate_decide", "gate_reopen", "vote_cast"):
        assert reverse(f"checklists:{action}", args=[plan.slug, rows["gate"].slug]) not in page, action


@pytest.mark.parametrize(("status", "said", "kind"), ENDINGS)
def test_the_plan_page_says_who_ended_it_when_and_why(coordinator: User, status: str, said: str, kind: str) -> None:
    """Everyone opening the plan page reads who aborted (or rolled back) the launch, when and why: it said only
    "Ended Mon 1 Dec 14:40", the reason was in the activity log alone."""
    plan, dba, _ = _ended(coordinator, status, kind)
    client = Client()
    client.force_login(primary(dba))
    page = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    why = page.split('id="ended-why"', 1)[1].split("</p>", 1)[0]
    name = coordinator.get_full_name() or coordinator.username
    assert f"Tue 1 Dec 14:40 UTC by {name}: <q>Payments &lt;b&gt;fail&lt;/b&gt; in production</q>" in why, why
    assert said.capitalize() in why
    assert "Only the coordinator changes the launch state" not in page


def test_a_running_launch_still_offers_everything(coordinator: User) -> None:
    """The control: the same plan, launched and not ended, offers the tick, the Start and the decision."""
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.LAUNCHED)
    dba = factories.RoleFactory(plan=plan, name="DBA", slug="dba")
    factories.ItemFactory(checklist__plan=plan, checklist__role=dba, title="Verify replication")
    factories.StepFactory(plan=plan, lead_role=dba, name="Migrate the schema", offset=timedelta(0))
    gate = factories.GateFactory(plan=plan, authority_role=dba, name="Go/No-Go", slug="go-no-go")
    client = Client()
    client.force_login(primary(dba))
    page = client.get(reverse("checklists:role", args=[plan.slug, dba.slug])).content.decode()
    assert "Tick “Verify replication”" in page and 'data-action="start"' in page
    assert "can no longer change" not in page
    gate_page = client.get(reverse("checklists:gate", args=[plan.slug, gate.slug])).content.decode()
    assert reverse("checklists:gate_decide", args=[plan.slug, gate.slug]) in gate_page
