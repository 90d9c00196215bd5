"""The operations handoff (review.services): the coordinator proposes it, only the receiving role's primary
or backup accepts it, the open items and issues are carried over and the launch is closed; after that the
launch day refuses every write (plans.closing) while the review and its follow-up actions stay open. And
the post-launch page: day by day, with a pinned number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from checklists import services as cs
from checklists.models import Item, ItemStatus, Recurrence
from communications.outbox.limits import ACTIVE_STATES
from plans import services as ps
from plans.closing import PlanClosed
from plans.models import Event, Plan, PlanStatus
from review import services as rs
from review.models import HandoffStatus
from roles.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def who(role: Role) -> User:
    """The role's primary (the factories give every role one)."""
    assert role.primary is not None
    return role.primary


def _plan(coordinator: User) -> tuple[Plan, Role, Role]:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.LAUNCHED)
    ops = factories.RoleFactory(plan=plan, name="Operations", slug="ops")
    support = factories.RoleFactory(plan=plan, name="Support", slug="support")
    return plan, ops, support


def _propose(plan: Plan, coordinator: User, ops: Role) -> None:
    rs.handoff_propose(
        plan,
        by=coordinator,
        to_role=ops,
        systems=["LMS", " "],
        runbooks=["Rollback runbook"],
        contacts=["Vendor desk"],
        note="Monthly checks from now on",
    )


def test_only_the_coordinator_proposes_and_only_once_live(coordinator: User) -> None:
    plan, ops, support = _plan(coordinator)
    with pytest.raises(PermissionDenied):
        rs.handoff_propose(plan, by=who(support), to_role=ops, systems=["LMS"], runbooks=[], contacts=[])
    with pytest.raises(ValidationError, match="Say what is handed over"):
        rs.handoff_propose(plan, by=coordinator, to_role=ops, systems=[], runbooks=[], contacts=[])
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)  # test set-up
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="once live"):
        _propose(plan, coordinator, ops)


def test_the_receiver_accepts_and_the_launch_closes(coordinator: User) -> None:
    plan, ops, support = _plan(coordinator)
    factories.ItemFactory(checklist__plan=plan, checklist__role=support, title="Archive the bridge notes")
    factories.ItemFactory(checklist__plan=plan, checklist__role=support, title="Done already", status=ItemStatus.DONE)
    factories.IssueFactory(plan=plan, owner_role=support, title="Slow reports", status="acknowledged")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        _propose(plan, coordinator, ops)
        with pytest.raises(ValidationError, match="no proposed handoff"):
            rs.handoff_accept(factories.PlanFactory(status=PlanStatus.LAUNCHED), by=who(ops))
        for refused in (coordinator, who(support)):  # not the receiver: the coordinator neither
            with pytest.raises(PermissionDenied, match="Operations's primary or backup"):
                rs.handoff_accept(plan, by=refused)
        handoff = rs.handoff_accept(plan, by=who(ops), note="Taken over")
    assert plan.status == PlanStatus.CLOSED and handoff.status == HandoffStatus.ACCEPTED
    assert handoff.systems == ["LMS"] and handoff.accepted_at == T0 + timedelta(days=8)
    assert [(c["kind"], c["title"], c["owner"]) for c in handoff.carried] == [
        ("item", "Archive the bridge notes", "Support"),
        ("issue", f"#{plan.issues.get().number} Slow reports (High, acknowledged)", "Support"),
    ]
    kinds = list(Event.objects.filter(plan=plan).order_by("pk").values_list("kind", "data__step"))
    assert kinds[-3:] == [("review.handoff", "proposed"), ("plan.state", None), ("review.handoff", "accepted")]
    with pytest.raises(ValidationError, match="no proposed handoff"):
        rs.handoff_accept(plan, by=who(ops))
    assert PlanStatus.CLOSED not in ACTIVE_STATES  # the outbox sends nothing more: reminders and messages stop


def _closed(coordinator: User) -> tuple[Plan, Role, Role]:
    plan, ops, support = _plan(coordinator)
    _propose(plan, coordinator, ops)
    rs.handoff_accept(plan, by=who(ops))
    return plan, ops, support


def test_a_closed_launch_day_refuses_writes_but_the_review_stays_open(coordinator: User) -> None:
    plan, ops, support = _closed(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=support)
    step = factories.StepFactory(plan=plan, lead_role=support)
    gate = factories.GateFactory(plan=plan, authority_role=support)
    writes: list[Callable[[], Any]] = [
        lambda: cs.item_tick(item, by=who(support)),
        lambda: cs.step_start(step, by=who(support)),
        lambda: cs.gate_decide(gate, by=who(support), decision="no_go", reason="late"),
        lambda: cs.gate_open_poll(gate, by=who(support)),
    ]
    for write in writes:
        with pytest.raises(PlanClosed, match="The launch is closed"):
            write()
    with pytest.raises(ValidationError, match="closed"):
        ps.hold_start(plan, by=coordinator, reason="Wait")
    with pytest.raises(ValidationError):
        ps.plan_transition(plan, to=PlanStatus.COMPLETED, by=coordinator)
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN  # the refused tick was rolled back
    rs.lesson_add(plan, by=coordinator, kind="improve", text="Hand over on T+7, not T+8")
    follow_up = rs.followup_add(plan, by=coordinator, title="Move backups", owner_role=ops, due_date=date(2026, 12, 20))
    assert follow_up.item is not None
    ticked = cs.item_tick(follow_up.item, by=who(ops))  # follow-up actions are no launch-day work
    assert ticked.status == ItemStatus.DONE


def test_a_refused_tick_says_why_on_the_role_page(coordinator: User) -> None:
    plan, ops, support = _closed(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=support)
    client = Client()
    client.force_login(who(support))
    url = f"/plans/{plan.slug}/roles/{support.slug}/items/{item.pk}/"
    response = client.post(url, {"status": "done", "version": item.version}, follow=True)
    assert "The launch is closed" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def _week(plan: Plan, support: Role, n: int) -> None:
    for day in range(1, n + 1):
        factories.ItemFactory(checklist__plan=plan, checklist__role=support, due_offset=timedelta(days=day, hours=1))
    daily = factories.ItemFactory(checklist__plan=plan, checklist__role=support, due_offset=None, title="Backups")
    Recurrence.objects.create(  # test set-up: a daily check from T+1d to T+7d
        plan=plan, item=daily, every=timedelta(days=1), start=timedelta(days=1), until=timedelta(days=7)
    )


@pytest.mark.parametrize("n", [2, 6])
def test_the_post_launch_page_day_by_day_in_fixed_queries(
    coordinator: User, n: int, django_assert_max_num_queries: Any
) -> None:
    plan, ops, support = _plan(coordinator)
    _week(plan, support, n)
    factories.MetricFactory(plan=plan, name="Adoption", comparator=">=", target=500, window="first week")
    _propose(plan, coordinator, ops)
    client = Client()
    client.force_login(who(ops))
    with time_machine.travel(T0 + timedelta(days=3, hours=12), tick=False):
        client.get(f"/plans/{plan.slug}/post-launch/")  # warm the session
        with django_assert_max_num_queries(16):
            page = client.get(f"/plans/{plan.slug}/post-launch/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="week-day') == 7
    assert body.count(">Missed</span> Backups") == 2  # T+1 and T+2's occurrences (T+3's is due)
    assert "Open" in body and "Accept the handoff and close the launch" in body
    assert Client().get(f"/plans/{plan.slug}/post-launch/").status_code == 302  # to the sign-in page


def test_the_item_due_days_fall_on_their_day(coordinator: User) -> None:
    from review.postweek import post_week

    plan, ops, support = _plan(coordinator)
    _week(plan, support, 7)
    Item.objects.filter(plan=plan, due_offset=timedelta(days=2, hours=1)).update(  # test set-up
        status=ItemStatus.DONE, done_at=T0 + timedelta(days=2)
    )
    week = post_week(plan, now=T0 + timedelta(days=8))
    states = [[c.state for c in d.checks] for d in week.days]
    assert states[0] == ["missed", "overdue"]  # the daily check at 12:00, the item at 13:00
    assert states[1] == ["missed", "done"]
    assert [d.number for d in week.days] == list(range(1, 8))


def test_every_round_of_the_handoff_stays_on_the_page(coordinator: User) -> None:
    """Proposed, accepted, reverted (a sev-1 the day after), proposed and accepted again: the handoff's row
    keeps the latest round; the post-launch page lists every step, oldest first, with who and why."""
    plan, ops, _support = _plan(coordinator)
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        _propose(plan, coordinator, ops)
    with time_machine.travel(T0 + timedelta(days=7, hours=1), tick=False):
        rs.handoff_accept(plan, by=who(ops), note="Taken <b>over</b>")
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        rs.plan_reopen(plan, by=coordinator, reason="Sev-1: grades lost on save")
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        _propose(plan, coordinator, ops)
        rs.handoff_accept(plan, by=who(ops))
    client = Client()
    client.force_login(who(ops))
    body = client.get(f"/plans/{plan.slug}/post-launch/").content.decode()
    history = body[body.index('id="handoff-history"') : body.index("</details>", body.index('id="handoff-history"'))]
    steps = history.split("<li>")[1:]
    assert len(steps) == 5 and "Every step (5)" in history
    assert "proposed to Operations" in steps[0] and "Monthly checks from now on" in steps[0]
    assert "accepted by Operations" in steps[1] and "Taken &lt;b&gt;over&lt;/b&gt;" in steps[1]
    assert "reverted, launch reopened: Sev-1: grades lost on save" in steps[2]
    assert "proposed to Operations" in steps[3] and "accepted by Operations" in steps[4]
    assert coordinator.username in steps[2] or coordinator.get_full_name() in steps[2]
