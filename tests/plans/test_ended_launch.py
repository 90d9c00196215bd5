"""An ended launch (closed, aborted, rolled back: plans.closing) no longer acts live: its T-0 no longer moves
(the service refuses, the plan page offers no re-baseline), its clock stops on the plan page and the board
(the final state and when it ended, nothing that counts), nothing on the board is next, late or counting,
no rollback trigger is offered to pull, the communications page says nothing more is sent, the home
page lists it apart from the live launches, and its role pages read nothing late ("Not finished"). And a
launch before T-0: the confirmation says how far ahead T-0 is and offers to move it to now
(``plans.services.plan_launch``: a re-baseline, "launched early"); the board never counts down to a T-0 ahead
of a launched plan."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from launch.services.sample import build_sample_plan
from plans import services as ps
from plans.models import Event, Plan, PlanStatus, RollbackTrigger, TriggerKind
from plans.runbook.selectors import pullable_triggers
from review import services as rs
from tests import factories
from warroom import selectors, views

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db


def _sample() -> tuple[Plan, User]:
    plan = build_sample_plan("ended-sample", items=30, roles=4, steps=10, issues=3)
    assert plan.coordinator is not None
    return plan, plan.coordinator


def _aborted() -> tuple[Plan, User]:
    plan, coordinator = _sample()
    ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
    return plan, coordinator


def _closed() -> tuple[Plan, User]:
    """The sample launched two days before its T-0 (T-0 not moved), then handed over and closed."""
    plan, coordinator = _sample()
    ps.plan_rebaseline(plan, new_t0=plan.t0 + timedelta(days=2), by=coordinator, reason="test set-up")
    ps.plan_launch(plan, by=coordinator, override="test set-up")
    ops = factories.RoleFactory(plan=plan, name="Operations", slug="ops-receiver")
    rs.handoff_propose(plan, by=coordinator, to_role=ops, systems=["LMS"], runbooks=[], contacts=[])
    assert ops.primary is not None
    rs.handoff_accept(plan, by=ops.primary)
    assert plan.status == PlanStatus.CLOSED
    return plan, coordinator


# --- Services ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("to", [PlanStatus.ABORTED, PlanStatus.ROLLED_BACK])
def test_an_ended_launch_refuses_a_rebaseline(to: str) -> None:
    plan, coordinator = _sample()
    if to == PlanStatus.ROLLED_BACK:
        ps.plan_launch(plan, by=coordinator, override="test set-up")
    ps.plan_transition(plan, to=to, by=coordinator, reason="Stop")
    t0 = plan.t0
    with pytest.raises(ps.TransitionError, match="its T-0 no longer moves"):
        ps.plan_rebaseline(plan, new_t0=t0 + timedelta(days=1), by=coordinator, reason="again")
    plan.refresh_from_db()
    assert plan.t0 == t0 and not Event.objects.filter(plan=plan, kind="plan.rebaselined").exists()


def test_launching_early_moves_t0_to_now_only_when_asked_and_only_when_early() -> None:
    plan, coordinator = _sample()
    ps.plan_rebaseline(plan, new_t0=plan.t0 + timedelta(days=2), by=coordinator, reason="test set-up")
    done = plan.steps.order_by("offset").first()
    assert done is not None
    done.offset = timezone.now().replace(microsecond=0) - timedelta(hours=1) - plan.t0  # planned an hour ago
    done.status, done.actual_start, done.actual_finish = "done", plan.at(done.offset), plan.at(done.offset)
    done.save()
    planned_then = plan.at(done.offset)
    later = plan.steps.exclude(pk=done.pk).order_by("offset").last()
    assert later is not None and later.offset >= timedelta(0)
    before = timezone.now()
    ps.plan_launch(plan, by=coordinator, override="go", move_t0=True)
    assert plan.status == PlanStatus.LAUNCHED
    # T-0 is the launch's second, or the one before it when the step pinned an hour before the launch would
    # land on the sample's items planned at T-1h (plans.early keeps pinned and moved offsets apart)
    assert before - timedelta(seconds=2) <= plan.t0 <= timezone.now()
    # Work done before the launch keeps its planned moment (on time, as it was); what comes after moves.
    done.refresh_from_db()
    assert plan.at(done.offset) == planned_then and done.actual_finish == planned_then
    old_later = later.offset
    later.refresh_from_db()
    assert later.offset == old_later
    moved = Event.objects.filter(plan=plan, kind="plan.rebaselined").latest("pk")
    assert moved.data["reason"] == "launched early" and moved.actor == coordinator
    assert list(Event.objects.filter(plan=plan).order_by("-pk").values_list("kind", flat=True)[:2]) == [
        "plan.rebaselined",
        "plan.state",
    ]

    other, _ = build_sample_plan("early-kept", items=5, roles=2, steps=3, issues=0), None
    t0 = other.t0  # 25 minutes ahead: early, but not asked to move
    ps.plan_launch(other, by=coordinator, override="go", move_t0=False)
    assert other.t0 == t0
    near = build_sample_plan("near-t0", items=5, roles=2, steps=3, issues=0)
    ps.plan_rebaseline(near, new_t0=timezone.now() + timedelta(minutes=3), by=coordinator, reason="set-up")
    t0 = near.t0  # within a few minutes of T-0: launching is on time, nothing moves
    ps.plan_launch(near, by=coordinator, override="go", move_t0=True)
    assert near.t0 == t0


def test_no_trigger_to_pull_once_ended() -> None:
    plan, coordinator = _sample()
    RollbackTrigger.objects.create(plan=plan, description="Payments stuck", kind=TriggerKind.DISCRETIONARY)
    assert pullable_triggers(plan, coordinator)
    ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
    assert pullable_triggers(plan, coordinator) == []


# --- The board -----------------------------------------------------------------------------------------


def _late_and_overdue(plan: Plan) -> None:
    """An item three hours overdue (the sample's issues' response times run out too)."""
    checklist = plan.checklists.first()
    factories.ItemFactory(checklist=checklist, title="Sign the runbook", due_offset=timedelta(hours=-3))


@pytest.mark.parametrize("ending", ["aborted", "closed"])
def test_the_board_of_an_ended_launch_stops_its_clock_and_counts_nothing(ending: str) -> None:
    plan, _ = _aborted() if ending == "aborted" else _closed()
    _late_and_overdue(plan)
    factories.GateFactory(plan=plan, name="Go for switchover", slug="switchover", authority_role=None)  # undecided
    later = timezone.now() + timedelta(hours=5)  # T-0 and the issues' response times are behind
    with time_machine.travel(later, tick=False):
        fresh = Plan.objects.get(pk=plan.pk)
        board = selectors.board(fresh)
        html = views.render_board(fresh, board)
        assert selectors.next_deadlines(fresh, later, later + timedelta(days=3), board) == []
    assert board.ended and board.ended_at is not None and board.late_total == 0 and board.entries == []
    assert board.phase is None and board.next_phase is None and all(r.late == 0 for r in board.roles)
    assert board.comms.next_at is None and board.forecast is None and 'id="wr-forecast"' not in html
    assert 'id="wr-clock"' not in html and 'data-t0=""' in html and "data-deadline" not in html
    assert "data-since" not in html
    ended = re.sub(r"\s+", " ", re.search(r'id="wr-ended">(.*?)</div>\s*</div>', html, re.S).group(1))  # type: ignore[union-attr]
    assert plan.get_status_display().upper() in ended and "Ended" in ended and "the clock has stopped" in ended
    assert " LATE" not in html and "late</span>" not in html
    assert "Nothing more is sent" in html and '<span class="k">Next</span>' not in html
    assert "response overdue" not in html.replace('class="lbl lbl-over">response overdue', "")
    # a gate it ended before reads as never decided, not as waiting for its decision
    assert 'class="pill g-undecided" title="Not decided before the launch ended">UNDECIDED<' in html
    assert ">PENDING<" not in html and ">POLLING<" not in html


def test_the_board_of_a_launch_before_t0_counts_from_the_launch() -> None:
    plan, coordinator = _sample()
    ps.plan_rebaseline(plan, new_t0=plan.t0 + timedelta(days=2), by=coordinator, reason="test set-up")
    ps.plan_launch(plan, by=coordinator, override="go")  # T-0 left two days ahead
    launched = Event.objects.filter(plan=plan, kind="plan.state").latest("pk").at
    with time_machine.travel(launched + timedelta(minutes=10), tick=False):
        fresh = Plan.objects.get(pk=plan.pk)
        board = selectors.board(fresh)
        html = views.render_board(fresh, board)
    assert board.launched_at == launched and board.phase is None
    clock = re.search(r'id="wr-clock"[^>]*>([^<]*)<', html).group(1)  # type: ignore[union-attr]
    assert clock == "T+00:10:00"
    assert f'data-t0="{int(launched.timestamp() * 1000)}"' in html
    assert "Launched before T-0" in html and "wr-launched-early" in html


# --- Pages ---------------------------------------------------------------------------------------------


def test_the_timeline_of_an_aborted_launch_forecasts_nothing_and_stops_what_ran(client: Client) -> None:
    """It showed "+3h18m" of forecast slip, "15 at risk", red late marks and forecast bars on a launch that was
    over, and a step running when it ended drew its actual bar on to now."""
    from plans.models import Step, StepStatus
    from plans.selectors import _bar, timeline

    plan, coordinator = _sample()
    step = Step.objects.filter(plan=plan, recurring=False).order_by("offset").first()
    assert step is not None
    started = timezone.now() - timedelta(hours=1)
    Step.objects.filter(pk=step.pk).update(status=StepStatus.IN_PROGRESS, actual_start=started)  # test set-up
    _late_and_overdue(plan)
    ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
    ended = Event.objects.get(plan=plan, kind="plan.state", data__to="aborted").at
    later = timezone.now() + timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        fresh = Plan.objects.get(pk=plan.pk)
        ctx = timeline(fresh, now=later)
        client.force_login(coordinator)
        html = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
    rows = {r["step"].pk: r for g in ctx["groups"] for r in g["rows"]}
    assert ctx["late_count"] == 0 and all(not r["late"] and r["forecast"] is None for r in rows.values())
    t0 = fresh.t0
    assert rows[step.pk]["actual"] == _bar((started - t0).total_seconds(), (ended - t0).total_seconds())
    assert 'id="tl-ended"' in html and "The launch was aborted" in html and 'id="tl-forecast"' not in html
    assert 'class="bar forecast"' not in html and "state-late" not in html and "badge risk-" not in html
    assert "not finished" in html and "state-in_progress" not in html


def test_the_plan_page_of_an_aborted_launch_has_no_clock_and_no_rebaseline(client: Client) -> None:
    plan, coordinator = _aborted()
    client.force_login(coordinator)
    html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "Re-baseline T-0" not in html and 'action="/plans/ended-sample/rebaseline/' not in html
    assert "data-countdown" not in html and 'id="clock-stopped"' in html and "ABORTED" in html
    response = client.post(
        reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": "2027-01-05T10:00", "reason": "again"}, follow=True
    )
    assert "its T-0 no longer moves" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).t0 == plan.t0


def test_the_launch_confirmation_says_t0_is_ahead_and_moves_it_when_asked(client: Client) -> None:
    plan, coordinator = _sample()
    ps.plan_rebaseline(plan, new_t0=plan.t0 + timedelta(days=2), by=coordinator, reason="test set-up")
    client.force_login(coordinator)
    html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    notice = re.sub(r"\s+", " ", re.search(r'id="launch-early"[^>]*>(.*?)</div>', html, re.S).group(1))  # type: ignore[union-attr]
    assert "T-0 is in 2 days" in notice.replace("\xa0", " ")
    assert re.search(r'<input type="checkbox" id="launch-move-t0"[^>]*name="move_t0" value="1" checked>', html)
    before = timezone.now()
    response = client.post(
        reverse("plans:transition", args=[plan.slug]),
        {"to": "launched", "move_t0": "1", "override": "go"},
        follow=True,
    )
    assert "T-0 moved to now" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LAUNCHED and before - timedelta(seconds=1) <= plan.t0 <= timezone.now()


def test_the_communications_page_of_a_closed_launch_says_nothing_more_is_sent(client: Client) -> None:
    plan, coordinator = _closed()
    client.force_login(coordinator)
    html = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    assert "nothing more is sent" in html and 'id="comms-ended"' in html
    assert 'id="scheduled-count"' not in html and 'id="scheduled"' not in html and 'id="cannot-send"' not in html


def test_the_home_page_lists_an_ended_launch_apart(client: Client) -> None:
    plan, coordinator = _aborted()
    live = build_sample_plan("still-live", items=5, roles=2, steps=3, issues=0)
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    cards = html.split('class="cards plan-cards"')[1].split("</ul>")[0]
    assert live.slug in cards and plan.slug not in cards
    assert f'href="/plans/{plan.slug}/warroom/"' not in html
    ended = html.split('class="plain ended-plans"')[1].split("</ul>")[0]
    assert plan.slug in ended and "Aborted" in ended


def test_an_ended_launch_counts_nothing_late_on_its_plan_page_and_home(client: Client) -> None:
    """An aborted plan's header said "50 late" and its open steps "late" and "running" while its board said
    nothing is due: what was not finished is said as such, and nothing is late any more."""
    plan, coordinator = _sample()
    with time_machine.travel(plan.t0 + timedelta(hours=3), tick=False):
        client.force_login(coordinator)
        before = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
        assert 'id="progress-late"' in before  # the sample has late items three hours after T-0
        ps.plan_transition(plan, to=PlanStatus.ABORTED, by=coordinator, reason="Vendor outage")
        html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
        home = client.get("/").content.decode()
    assert 'id="progress-late"' not in html and "state-late" not in html.split('id="plan-gates"')[1]
    assert "Steps left unfinished" in html and "not finished" in html
    assert "state-late" not in home


@pytest.mark.parametrize("to", [PlanStatus.ABORTED, PlanStatus.ROLLED_BACK])
def test_an_ended_launch_reads_nothing_late_on_its_role_page(client: Client, to: str) -> None:
    """An aborted launch's role page still said "Late" on its open items, "late" on its steps and "3 late" above
    them, and its recurring check was "Late" too, while its plan page and board said nothing is late: what
    was not done reads "Not finished", as on the plan page."""
    from tests.issue16.helpers import T0, make_plan

    plan = make_plan()  # a 15-minute health check from T-0 to T+2h, the SRE's
    coordinator = factories.UserFactory(username="ended-coordinator")
    Plan.objects.filter(pk=plan.pk).update(coordinator=coordinator)
    plan.refresh_from_db()
    sre = plan.roles.get(slug="sre")
    checklist = plan.checklists.get(role=sre)
    factories.ItemFactory(checklist=checklist, title="Sign the runbook", due_offset=timedelta(hours=-1))
    factories.StepFactory(plan=plan, lead_role=sre, name="Switch DNS", offset=timedelta(minutes=-30))
    factories.StepFactory(
        plan=plan, lead_role=sre, name="Warm caches", offset=timedelta(minutes=-40), status="in_progress"
    )
    url = reverse("checklists:role", args=[plan.slug, "sre"])
    rows_url = reverse("checklists:role_rows", args=[plan.slug, "sre"])
    client.force_login(coordinator)
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        before = client.get(url).content.decode()
        assert "state-overdue" in before and ">Late<" in before and "state-late" in before  # live: late
        if to == PlanStatus.ROLLED_BACK:
            ps.plan_launch(plan, by=coordinator, override="go")
        ps.plan_transition(plan, to=to, by=coordinator, reason="Vendor outage")
        pages = [client.get(url).content.decode(), client.get(rows_url).content.decode()]
    for html in pages:
        assert "state-overdue" not in html and "row-overdue" not in html and "state-late" not in html
        assert ">Late<" not in html and "late</span>" not in html and " late<" not in html
        assert "state-due_soon" not in html and "state-upcoming" not in html  # nothing is due any more either
        assert html.count(">Not finished<") == 4  # the item, both steps and the health check
        assert "data-forecast" not in html and "slip-late" not in html  # no forecast: the clock has stopped
        assert "</b> due " not in html and "next #" not in html and "the launch has ended" in html  # the check
    assert pages[0].count(">2 not finished<") == 2  # the items (one-off, recurring), then the steps


def test_an_ended_launch_step_page_says_not_finished(client: Client) -> None:
    """The step page said "Pending" of a step its aborted launch will never run, and of the steps around it."""
    plan, coordinator = _aborted()
    first, second = plan.steps.filter(recurring=False).order_by("offset")[:2]
    second.depends_on.add(first)  # test set-up: the second waits for the first
    client.force_login(coordinator)
    html = client.get(reverse("plans:step", args=[plan.slug, second.pk])).content.decode()
    assert html.count('<span class="badge">Not finished</span>') >= 2  # the step and the one it waited for
    assert ">Pending</span>" not in html
