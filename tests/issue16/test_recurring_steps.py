"""Recurring steps (issue 16): "health checks every 15 minutes from T-0 to T+2h" as a step with ``repeat:``.
Each occurrence comes due, is reminded once, turns late and is missed if not ticked within its grace; the
step's lead role ticks it (403 for another role); the role page and the board show the series' progress
(current, next, done, missed), not nine rows; the forecast and the critical path leave it out; the plan
format refuses it in a chain of steps (FILE:LINE) and round-trips it byte for byte."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Occurrence
from checklists.series.times import series_moments
from checklists.services import step_finish, step_occurrence_tick, step_occurrence_untick, step_start
from communications.ical import role_calendar
from communications.models import Delivery
from launch.format import PlanFormatError
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Event, Plan, PlanStatus, Step
from plans.schedule import plan_forecast
from plans.selectors import timeline
from roles.models import Role
from tests.beats import beat, tick_at
from warroom import selectors as board_selectors

from .helpers import T0, H, M, people

pytestmark = pytest.mark.django_db

RUNBOOK = Path(__file__).resolve().parent.parent / "runbooks" / "recurring-steps.yaml"
TEXT = RUNBOOK.read_text()
WITHOUT = TEXT.split("      - name: Health checks\n")[0]


def _plan(text: str = TEXT, slug: str = "") -> Plan:
    with time_machine.travel(T0 - 3 * H, tick=False):
        plan = import_plan_text(text, t0=T0.replace(tzinfo=None).isoformat(), filename="s.yaml", slug=slug)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)  # fixture set-up
    plan.refresh_from_db()
    return plan


def _step(plan: Plan) -> Step:
    return Step.objects.get(plan=plan, name="Health checks")


def _page(plan: Plan, user: str, role: str = "sre") -> str:
    client = Client()
    client.force_login(User.objects.get(username=user))
    return client.get(reverse("checklists:role", args=[plan.slug, role])).content.decode()


def test_a_15_minute_step_comes_due_9_times_each_reminded_once_and_a_missed_one_shows() -> None:
    people()
    plan = _plan()
    step, alice = _step(plan), User.objects.get(username="alice")
    dues = series_moments(plan, step.recurrence)
    assert dues == [T0 + 15 * M * k for k in range(9)]
    # The outbox beats around each reminder and overdue moment of every occurrence (tests/beats.py); each
    # occurrence is ticked a minute late, but the third.
    ticked = {T0 + (15 * k + 1) * M + timedelta(seconds=5): k for k in range(9) if k != 2}
    for moment in sorted({*beat(plan, T0 - 20 * M, T0 + 131 * M), *ticked}):
        tick_at(moment)
        if moment in ticked:
            with time_machine.travel(moment, tick=False):
                step_occurrence_tick(step, index=ticked[moment], by=alice)
    due = Delivery.objects.filter(plan=plan, source_kind="step_occurrence.due")
    assert sorted(due.values_list("recipient", flat=True)) == sorted(f"user:{alice.pk}:o{i}" for i in range(9))
    assert sorted(due.values_list("due_at", flat=True)) == [d - plan.reminder_lead for d in dues]
    assert all("Health checks #" in d.subject for d in due)
    overdue = Delivery.objects.filter(plan=plan, source_kind="step_occurrence.overdue")
    assert list(overdue.values_list("recipient", "due_at")) == [(f"user:{alice.pk}:o2", dues[2] + 5 * M)]
    assert Occurrence.objects.filter(step=step).count() == 8
    with time_machine.travel(T0 + 131 * M, tick=False):
        page = _page(plan, "alice")
        board = board_selectors.board(plan)
    assert "8 done" in page and "1 missed" in page and "last missed: #3" in page
    sre = next(r for r in board.roles if r.name == "SRE")
    assert (sre.steps_done, sre.steps_total) == (1, 2)  # the series is over (done); Deploy was never finished


def test_the_lead_role_ticks_it_another_role_gets_403_and_a_double_click_is_one_tick() -> None:
    people()
    plan = _plan()
    step = _step(plan)
    alice, quinn = User.objects.get(username="alice"), User.objects.get(username="quinn")
    with time_machine.travel(T0 + 2 * M, tick=False):
        with pytest.raises(PermissionDenied):
            step_occurrence_tick(step, index=0, by=quinn)
        with pytest.raises(ValidationError, match="not due yet"):
            step_occurrence_tick(step, index=3, by=alice)
        with pytest.raises(ValidationError, match="repeats"):
            step_start(step, by=alice)
        with pytest.raises(ValidationError, match="repeats"):
            step_finish(step, by=alice)
        first = step_occurrence_tick(step, index=0, by=alice)
        assert step_occurrence_tick(step, index=0, by=alice) == first  # a double click: one tick
        url = reverse("checklists:step_occurrence_tick", args=[plan.slug, "sre", step.pk, 0])
        other = Client()
        other.force_login(quinn)
        assert other.post(url).status_code == 403
        mine = Client()
        mine.force_login(alice)
        assert mine.post(url, HTTP_HX_REQUEST="true").status_code == 200
    with time_machine.travel(T0 + 30 * M, tick=False):  # #2 (12:15) was missed at 12:25: ticked late
        step_occurrence_tick(step, index=1, by=alice)
        assert step_occurrence_untick(step, index=1, by=alice, reason="wrong one")
        assert not step_occurrence_untick(step, index=1, by=alice)
    rows = Event.objects.filter(plan=plan, kind__startswith="step.occurrence").order_by("id")
    kinds = list(rows.values_list("kind", "summary"))
    assert [k for k, _ in kinds] == ["step.occurrence_ticked", "step.occurrence_ticked", "step.occurrence_unticked"]
    assert "late, after it was missed" in kinds[1][1]
    assert Occurrence.objects.filter(step=step).count() == 1


def test_the_role_page_and_the_board_show_current_next_and_missed() -> None:
    people()
    plan = _plan()
    with time_machine.travel(T0 + 17 * M, tick=False):  # #1 missed (grace 10 min), #2 due, #3 next
        page = _page(plan, "alice")
        board = board_selectors.board(plan)
        other = _page(plan, "quinn", "qa")
    assert page.count("Health checks") == 1 or "Repeats</span> Health checks" in page
    assert "#2 of 9" in page and "next #3" in page and "1 missed" in page and "0 done" in page
    assert 'data-action="tick-occurrence"' in page and 'data-action="tick-late"' in page
    assert "Health checks" not in other
    line = next(e for e in board.entries if e.title.startswith("Health checks"))
    assert line.title == "Health checks #2 of 9 · 1 missed" and line.kind == "step" and line.late


def test_the_forecast_and_the_critical_path_leave_it_out() -> None:
    people()
    with_it, without = _plan(), _plan(WITHOUT, slug="without")
    now = T0 - 2 * H
    assert plan_forecast(with_it, now=now).end == plan_forecast(without, now=now).end is not None
    assert _step(with_it).pk not in plan_forecast(with_it, now=now).steps
    shown = timeline(with_it, now=now)
    assert shown["step_count"] == 2 and "Health checks" not in [s.name for s in shown["critical_steps"]]
    assert "Health checks" in str(shown["repeats"]["series"])  # a band with what repeats


def test_the_calendar_has_each_occurrence() -> None:
    people()
    plan = _plan()
    ics = role_calendar(plan, Role.objects.get(plan=plan, slug="sre")).decode()
    assert ics.count("SUMMARY:Health checks #") == 9 and "Health checks #9 of 9" in ics


def test_the_runbook_round_trips_byte_for_byte() -> None:
    people()

    def body(t: str) -> str:
        return "".join(line for line in t.splitlines(keepends=True) if not line.startswith("#"))

    plan = _plan()
    exported = export_plan(plan)
    assert body(exported) == body(TEXT)
    again = import_plan_text(exported, t0="2026-12-05T12:00", filename=RUNBOOK.name)
    assert body(export_plan(again)) == body(TEXT)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        lead: SRE\n        verify:",
            "        lead: SRE\n        at: T+0\n        verify:",
            "s.yaml:29: step 'Health checks' repeats: it is in no chain of steps, drop at",
        ),
        (
            "          - Deploy\n",
            "          - Health checks\n",
            "s.yaml:23: step 'Health checks' repeats: step 'Verify' cannot wait for it (after)",
        ),
        (
            "        lead: SRE\n        verify:",
            "        verify:",
            "s.yaml:29: step 'Health checks' repeats: give it a lead (the role that ticks it)",
        ),
        (
            "          every: 15m\n",
            "          every: 15m\n          times:\n            - '09:00'\n",
            "s.yaml:30: step 'Health checks': repeat needs every (an interval) or times (clock times), one of them",
        ),
        (
            "          until: T+2h\n",
            "          until: T-2h\n",
            "s.yaml:33: step 'Health checks': the repeat ends (until) before it starts (from)",
        ),
        (
            "          grace: 10m\n",
            "          grace: 10m\nchecklists:\n  - name: Watch\n    items:\n      - title: Look\n"
            "        step: Health checks\n",
            "s.yaml:39: step 'Health checks' repeats: an item cannot belong to it",
        ),
    ],
)
def test_bad_input_is_refused_at_file_and_line(old: str, new: str, expected: str) -> None:
    people()
    assert old in TEXT
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(TEXT.replace(old, new, 1), t0="2026-12-05T12:00", tz="UTC", filename="s.yaml")
    assert exc.value.lines() == [expected]


def _more(n: int) -> str:
    extra = "".join(
        f"      - name: Check {k}\n        lead: SRE\n        repeat:\n          every: 30m\n"
        f"          from: T+0\n          until: T+4h\n"
        for k in range(n)
    )
    return TEXT + extra


def test_the_role_page_and_the_board_read_recurring_steps_in_a_fixed_number_of_queries() -> None:
    people()
    few, many = _plan(_more(1), slug="few"), _plan(_more(5), slug="many")
    counts = []
    with time_machine.travel(T0 + 17 * M, tick=False):
        for each in (few, many, few):
            plan = Plan.objects.get(pk=each.pk)  # a fresh object: the plan caches its placeholders
            client = Client()
            client.force_login(User.objects.get(username="alice"))
            with CaptureQueriesContext(connection) as page:
                assert client.get(reverse("checklists:role", args=[plan.slug, "sre"])).status_code == 200
            with CaptureQueriesContext(connection) as board:
                board_selectors.board(plan)
            counts.append((len(page), len(board)))
    assert counts[1] == counts[2]  # no query per recurring step (the first read warms a cache)


@pytest.mark.parametrize(
    ("name", "extra", "shown"),
    [
        ("plans:detail", [], False),  # the next steps: a recurring step is not one of them
        ("plans:timeline", [], True),  # a band
        ("plans:step", ["step"], True),
        ("warroom:board", [], True),
        ("review:page", [], False),  # the run of steps (forecast vs actual) leaves it out
        ("checklists:role", ["sre"], True),
    ],
)
def test_every_page_that_reads_steps_shows_a_plan_with_a_recurring_step(
    name: str, extra: list[str], shown: bool
) -> None:
    people()
    plan = _plan()
    args: list[object] = [plan.slug, *(_step(plan).pk if e == "step" else e for e in extra)]
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    with time_machine.travel(T0 + 17 * M, tick=False):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert ("Health checks" in response.content.decode()) == shown
