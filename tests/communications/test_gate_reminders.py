"""A gate's decision is reminded like an item's due time (communications/sources/gates.py): its authority, its
voters and the coordinator are told the reminder lead before it is due, each once; still undecided a moment after,
the authority and the coordinator are told it is overdue; decided in time, nothing more goes. A hold defers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core import mail

from checklists.models import GateStatus
from checklists.services import gate_decide, gate_open_poll, vote_cast
from communications.models import Delivery, DeliveryStatus
from plans.models import PlanStatus
from plans.services import hold_end, hold_start
from tests import factories
from tests.beats import beat, tick_each

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from checklists.models import Gate
    from plans.models import Plan

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _gate(coordinator: User) -> tuple[Plan, Gate, dict[str, User]]:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    people = {n: factories.UserFactory(username=n, email=f"{n}@example.com") for n in ("exec", "dba", "qa", "ops")}
    execs = factories.RoleFactory(plan=plan, name="Executive Team", primary=people["exec"], backup=None)
    dba = factories.RoleFactory(plan=plan, name="DBA", primary=people["dba"], backup=people["exec"])  # exec twice
    qa = factories.RoleFactory(plan=plan, name="QA", primary=people["qa"], backup=None)
    factories.RoleFactory(plan=plan, name="Operations", primary=people["ops"], backup=None)  # not asked
    gate = factories.GateFactory(plan=plan, name="Go/No-Go", slug="go", offset=-60 * M, authority_role=execs)
    gate.polled_roles.set([dba, qa])
    return plan, gate, people


def _sent(kind: str) -> list[str]:
    rows = Delivery.objects.filter(source_kind=kind, status=DeliveryStatus.SENT).order_by("recipient_label")
    return [row.recipient_label for row in rows]


def test_the_authority_voters_and_coordinator_are_reminded_then_told_it_is_overdue(coordinator: User) -> None:
    plan, gate, _ = _gate(coordinator)
    tick_each(beat(plan, T0 - 3 * 60 * M, T0))
    assert sorted(label.split(" (")[1] for label in _sent("gate.due")) == [
        "DBA, primary)",
        "Executive Team, primary)",
        "QA, primary)",
        "the plan, coordinator)",
    ]  # each person once: the Executive Team's primary, the DBA's backup too, is told as the authority
    due = Delivery.objects.filter(source_kind="gate.due").first()
    assert due is not None and due.due_at == T0 - 60 * M - plan.reminder_lead
    assert due.label == "Reminder: gate Go/No-Go, decision due T-1h"  # ("… decided T-1h" read as done)
    assert due.subject.endswith("Gate decision at Tue 1 Dec 11:00 UTC: Go/No-Go")
    assert "to be decided T-1h (Tue 1 Dec 11:00 UTC) by Executive Team, with the votes of DBA, QA" in due.body
    assert due.body.endswith(f"/plans/{plan.slug}/gates/go/")
    overdue = _sent("gate.overdue")
    assert sorted(label.split(" (")[1] for label in overdue) == ["Executive Team, primary)", "the plan, coordinator)"]
    assert any("DECISION OVERDUE since Tue 1 Dec 11:00 UTC: Go/No-Go" in m.subject for m in mail.outbox)


def test_a_gate_decided_in_time_is_told_nothing_more(coordinator: User) -> None:
    plan, gate, people = _gate(coordinator)
    tick_each(beat(plan, T0 - 3 * 60 * M, T0 - 61 * M))
    with time_machine.travel(T0 - 61 * M, tick=False):
        gate_open_poll(gate, by=people["exec"])
        for role in gate.polled_roles.all():
            assert role.primary is not None
            vote_cast(gate, role=role, by=role.primary, vote="go")
        gate_decide(gate, by=people["exec"], decision="go", reason="All green")
    gate.refresh_from_db()
    assert gate.status == GateStatus.PASSED
    tick_each(beat(plan, T0 - 61 * M, T0))
    assert len(_sent("gate.due")) == 4 and not Delivery.objects.filter(source_kind="gate.overdue").exists()


def test_a_hold_defers_them_and_they_slip_with_t0(coordinator: User) -> None:
    plan, _, _ = _gate(coordinator)
    with time_machine.travel(T0 - 2 * 60 * M, tick=False):
        hold_start(plan, by=coordinator, reason="Payments provider down")
    tick_each(beat(plan, T0 - 2 * 60 * M, T0 - 90 * M))
    assert not Delivery.objects.filter(source_kind__startswith="gate.").exists()
    with time_machine.travel(T0 - 90 * M, tick=False):
        hold_end(plan, by=coordinator)
    plan.refresh_from_db()
    tick_each(beat(plan, T0 - 90 * M, plan.t0))
    due = Delivery.objects.filter(source_kind="gate.due").first()
    assert due is not None and due.due_at == T0 + 30 * M - 60 * M - plan.reminder_lead  # slipped by the hold


def test_template_syntax_in_a_gates_name_is_text(coordinator: User, client: Any) -> None:
    """A plan author's gate name goes into the reminder and the role's task as typed: no template is run on it."""
    plan, gate, people = _gate(coordinator)
    gate.name = "Go {{ settings.SECRET_KEY }} {% debug %}"
    gate.save(update_fields=["name"])
    tick_each(beat(plan, T0 - 3 * 60 * M, T0 - 60 * M))
    due = Delivery.objects.filter(source_kind="gate.due").first()
    assert due is not None and "Go {{ settings.SECRET_KEY }} {% debug %}" in due.subject
    from django.conf import settings

    client.force_login(people["dba"])
    voters = gate.polled_roles.first()
    assert voters is not None
    with time_machine.travel(T0 - 2 * 60 * M, tick=False):
        page = client.get(f"/plans/{plan.slug}/roles/{voters.slug}/").content.decode()
    assert "Vote on the Go {{ settings.SECRET_KEY }} {% debug %} gate" in page and settings.SECRET_KEY not in page
