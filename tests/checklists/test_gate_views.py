from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import pytest
from django.urls import reverse

from checklists.models import GateStatus
from plans.models import Event, PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Gate, NoGoTrigger
    from plans.models import Plan
    from roles.models import Role


pytestmark = pytest.mark.django_db


class GateSetup(TypedDict):
    gate: Gate
    director: User
    qa_user: User
    qa: Role
    trigger: NoGoTrigger


@pytest.fixture
def gate_setup(plan: Plan) -> GateSetup:
    director = factories.UserFactory(username="director")
    qa_user = factories.UserFactory(username="qa")
    authority = factories.RoleFactory(plan=plan, name="Launch Director", slug="director", primary=director)
    qa = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=qa_user)
    gate = factories.GateFactory(plan=plan, name="Final Go/No-Go", slug="final", authority_role=authority)
    gate.polled_roles.set([qa])
    checklist = factories.ChecklistFactory(plan=plan, role=qa)
    factories.ItemFactory(checklist=checklist, title="Smoke tests pass", gate=gate)
    trigger = factories.NoGoTriggerFactory(gate=gate, description="Sev-1 open")
    return {"gate": gate, "director": director, "qa_user": qa_user, "qa": qa, "trigger": trigger}


def url(name: str, plan: Plan, gate: Gate, *extra: object) -> str:
    return reverse(f"checklists:{name}", args=[plan.slug, gate.slug, *extra])


def test_gate_page_shows_criteria_triggers_poll_and_blockers(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    client.force_login(gate_setup["director"])
    html = client.get(url("gate", plan, gate_setup["gate"])).content.decode()
    assert "Smoke tests pass" in html and "Sev-1 open" in html
    assert "Cannot pass yet" in html and "QA Lead has not voted" in html
    assert 'hx-trigger="wr:poll" data-live-poll="3"' in html  # pushed, polled every 3 s as the fallback
    assert "Open the poll" in html


def test_poll_fragment_is_only_the_live_part(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    client.force_login(gate_setup["qa_user"])
    html = client.get(url("gate_poll", plan, gate_setup["gate"])).content.decode()
    assert html.strip().startswith('<div id="gate-live"')
    assert "<html" not in html


def test_vote_and_refused_go_through_the_views(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    gate = gate_setup["gate"]
    client.force_login(gate_setup["director"])
    client.post(url("gate_open_poll", plan, gate))
    client.force_login(gate_setup["qa_user"])
    response = client.post(url("vote_cast", plan, gate), {"role": gate_setup["qa"].pk, "vote": "go"})
    assert response.status_code == 302
    client.force_login(gate_setup["director"])
    response = client.post(url("gate_decide", plan, gate), {"decision": "go"}, follow=True)
    html = response.content.decode()
    assert "Final Go/No-Go cannot pass: Criterion “Smoke tests pass” is open." in html
    gate.refresh_from_db()
    assert gate.status == GateStatus.POLLING


def test_no_go_view_holds_the_launch(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    client.force_login(gate_setup["director"])
    client.post(url("gate_decide", plan, gate_setup["gate"]), {"decision": "no_go", "reason": "Sev-1"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HOLD


def test_outsiders_get_403_and_nothing_changes(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    gate = gate_setup["gate"]
    outsider = factories.UserFactory(username="outsider")
    client.force_login(outsider)
    html = client.get(url("gate", plan, gate)).content.decode()
    assert "Open the poll" not in html and "Raise</button>" not in html
    assert client.post(url("gate_open_poll", plan, gate)).status_code == 403
    assert client.post(url("gate_decide", plan, gate), {"decision": "no_go", "reason": "x"}).status_code == 403
    assert client.post(url("trigger_raise", plan, gate, gate_setup["trigger"].pk), {"reason": "x"}).status_code == 403
    client.force_login(gate_setup["qa_user"])
    assert client.post(url("gate_decide", plan, gate), {"decision": "go"}).status_code == 403
    assert not Event.objects.filter(plan=plan).exists()


def test_role_holder_raises_and_clears_a_trigger(client: Client, plan: Plan, gate_setup: GateSetup) -> None:
    gate, trigger = gate_setup["gate"], gate_setup["trigger"]
    client.force_login(gate_setup["qa_user"])
    client.post(url("trigger_raise", plan, gate, trigger.pk), {"reason": "Sev-1 in checkout"})
    trigger.refresh_from_db()
    assert trigger.raised
    html = client.get(url("gate", plan, gate)).content.decode()
    assert "No-go trigger “Sev-1 open” is raised." in html
    client.post(url("trigger_clear", plan, gate, trigger.pk), {"reason": "Hotfix deployed"})
    trigger.refresh_from_db()
    assert not trigger.raised


def test_a_backup_sees_their_own_vote_first_and_who_voted_for_the_role_they_back_up(
    client: Client, plan: Plan, gate_setup: GateSetup
) -> None:
    """qa is QA Lead's primary and the DBA's backup; Dana Base (the DBA's primary) voted GO. qa's page offers
    QA Lead's vote first, and the DBA's says Dana voted, not "you said GO"."""
    gate, qa_user = gate_setup["gate"], gate_setup["qa_user"]
    dana = factories.UserFactory(username="dana", first_name="Dana", last_name="Base")
    dba = factories.RoleFactory(plan=plan, name="Database Administrator", slug="dba", primary=dana, backup=qa_user)
    dba.order, gate_setup["qa"].order = 1, 2
    dba.save()
    gate_setup["qa"].save()
    gate.polled_roles.set([dba, gate_setup["qa"]])
    client.force_login(gate_setup["director"])
    client.post(url("gate_open_poll", plan, gate))
    client.force_login(dana)
    assert client.post(url("vote_cast", plan, gate), {"role": dba.pk, "vote": "go"}).status_code == 302

    client.force_login(qa_user)
    html = client.get(url("gate", plan, gate)).content.decode()
    forms = html.split('class="stack vote-form"')[1:]
    assert [f'name="role" value="{gate_setup["qa"].pk}"' in f for f in forms] == [True, False]
    assert f'name="role" value="{dba.pk}"' in forms[1]
    assert "(Dana Base said GO; you may change it as the backup)" in forms[1]
    assert "you said" not in html

    client.post(url("vote_cast", plan, gate), {"role": dba.pk, "vote": "go", "comment": "Restore checked"})
    html = client.get(url("gate", plan, gate)).content.decode()
    assert "(you said GO; you may change it)" in html
    client.force_login(dana)  # and the primary is told the backup changed it
    html = client.get(url("gate", plan, gate)).content.decode()
    assert f"({qa_user.get_full_name()} said GO; you may change it)" in html


def test_a_passed_gate_says_when_it_went(client: Client, plan: Plan, coordinator: User) -> None:
    """The verdict of a gate decided GO reads "GO on Tue 1 Dec 11:40 UTC." (it read "Passed" beside the
    "Passed" badge)."""
    from datetime import UTC, datetime

    import time_machine

    from checklists.services import gate_decide

    plan.timezone = "UTC"
    plan.save(update_fields=["timezone"])
    gate = factories.GateFactory(plan=plan, name="Launch", slug="launch")
    with time_machine.travel(datetime(2026, 12, 1, 11, 40, tzinfo=UTC), tick=False):
        gate_decide(gate, by=coordinator, decision="go")
    client.force_login(coordinator)
    html = client.get(url("gate", plan, gate)).content.decode()
    verdict = html.split('class="verdict', 1)[1].split("</div>", 1)[0]
    assert "<strong>GO on Tue 1 Dec 11:40 UTC.</strong>" in verdict
