"""Recurring items (issue 16): a 15-minute check from T-0 to T+2h comes due 9 times, each occurrence is
reminded exactly once, an unticked one turns late, gets its overdue notice and then shows as missed; a
daily recurrence keeps its wall-clock time across a daylight-saving change; ticking goes through the
service (403 for another role's holder); the role page and the board show the series in a fixed number
of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Item, Occurrence
from checklists.series.times import moments
from checklists.services import item_occurrence_tick
from communications.models import Delivery
from plans.models import Event, Plan
from tests import factories
from tests.beats import beat, tick_at
from warroom import selectors as board_selectors
from warroom import views as board_views

from .helpers import PLAN, T0, H, M, make_plan

pytestmark = pytest.mark.django_db


def _check(plan: Plan) -> Item:
    return Item.objects.get(plan=plan, title="Health check")


def test_a_15_minute_check_comes_due_9_times_each_reminded_once_and_a_missed_one_shows() -> None:
    plan = make_plan()
    item, alice = _check(plan), User.objects.get(username="alice")
    dues = moments(plan, every=15 * M, times=[], start=timedelta(0), until=2 * H)
    assert dues == [T0 + 15 * M * k for k in range(9)]
    # The outbox beats around each reminder and overdue moment of every occurrence (tests/beats.py); each
    # occurrence is ticked a minute late, but the second.
    ticked = {T0 + (15 * k + 1) * M + timedelta(seconds=5): k for k in range(9) if k != 1}
    for moment in sorted({*beat(plan, T0 - 20 * M, T0 + 131 * M), *ticked}):
        tick_at(moment)
        if moment in ticked:
            with time_machine.travel(moment, tick=False):
                item_occurrence_tick(item, index=ticked[moment], by=alice)
    due = Delivery.objects.filter(plan=plan, source_kind="occurrence.due")
    assert sorted(due.values_list("recipient", flat=True)) == sorted(f"user:{alice.pk}:o{i}" for i in range(9))
    assert sorted(due.values_list("due_at", flat=True)) == [d - plan.reminder_lead for d in dues]
    overdue = Delivery.objects.filter(plan=plan, source_kind="occurrence.overdue")
    assert list(overdue.values_list("recipient", "due_at")) == [(f"user:{alice.pk}:o1", dues[1] + 5 * M)]
    assert Occurrence.objects.filter(item=item).count() == 8
    with time_machine.travel(T0 + 131 * M, tick=False):
        client = Client()
        client.force_login(alice)
        page = client.get(reverse("checklists:role", args=[plan.slug, "sre"])).content.decode()
        board = board_selectors.board(plan)
    assert "8 done" in page and "1 missed" in page and "last missed: #2" in page
    sre = next(r for r in board.roles if r.name == "SRE")
    assert (sre.done, sre.total, sre.late) == (1, 1, 0)  # the series is over: it counts as done


def test_the_current_occurrence_is_due_then_late_then_missed() -> None:
    plan = make_plan()
    with time_machine.travel(T0 + 3 * M, tick=False):
        board = board_selectors.board(plan)
        line = next(e for e in board.entries if e.title.startswith("Health check"))
        assert line.title == "Health check #1 of 9" and line.late
        assert board.late_total == 1 and next(r for r in board.roles if r.name == "SRE").late == 1
    with time_machine.travel(T0 + 16 * M, tick=False):  # #1 missed, #2 late
        client = Client()
        client.force_login(User.objects.get(username="alice"))
        page = client.get(reverse("checklists:role", args=[plan.slug, "sre"])).content.decode()
        assert "#2 of 9" in page and "1 missed" in page and "0 done" in page and "next #3" in page


def test_the_home_cards_count_a_late_occurrence_as_the_board_does() -> None:
    """A recurring item whose current occurrence is past its time is late on the home page's role card and
    plan card, as on the board; once it is ticked, neither counts it."""
    plan = make_plan()
    coordinator = factories.UserFactory(username="cleo")
    Plan.objects.filter(pk=plan.pk).update(coordinator=coordinator)  # fixture set-up
    alice = User.objects.get(username="alice")
    client = Client()

    def home(user: User) -> str:
        client.force_login(user)
        return " ".join(client.get(reverse("launch:home")).content.decode().split())

    with time_machine.travel(T0 + 3 * M, tick=False):  # #1 of the health check is 3 minutes late
        assert next(r for r in board_selectors.board(plan).roles if r.name == "SRE").late == 1
        assert '<span class="badge state-late">1 late</span>' in home(alice)
        assert '<span class="badge state-late">1 late</span>' in home(coordinator)
        item_occurrence_tick(_check(plan), index=0, by=alice)
        assert "state-late" not in home(alice) and "state-late" not in home(coordinator)


def test_a_daily_recurrence_keeps_its_clock_time_across_daylight_saving() -> None:
    spring = PLAN.replace(
        "        repeat:\n          every: 15m\n          from: T+0\n          until: T+2h\n",
        "        repeat:\n          every: 1d\n          from: T+0\n          until: T+4d\n"
        "      - title: Triage\n        repeat:\n          times:\n            - 09:00\n            - 17:30\n"
        "          from: T-1d\n          until: T+4d\n",
    ).replace("timezone: Europe/London\n", "timezone: Europe/London\n")
    factories.UserFactory(username="x")
    from launch.services.importer import import_plan_text

    from .helpers import people

    people()
    plan = import_plan_text(spring, t0="2026-03-27T09:00", tz="Europe/London", filename="s.yaml")  # DST: 29 March
    from checklists.series.times import series_moments

    daily = series_moments(plan, Item.objects.get(plan=plan, title="Health check").recurrence)
    assert [f"{plan.local(m):%d %H:%M}" for m in daily] == ["27 09:00", "28 09:00", "29 09:00", "30 09:00", "31 09:00"]
    assert daily[2] - daily[1] == timedelta(hours=23)  # the short night
    triage = series_moments(plan, Item.objects.get(plan=plan, title="Triage").recurrence)
    assert [f"{plan.local(m):%d %H:%M}" for m in triage][:4] == ["26 09:00", "26 17:30", "27 09:00", "27 17:30"]
    assert {f"{plan.local(m):%H:%M}" for m in triage} == {"09:00", "17:30"} and len(triage) == 11


def test_ticking_checks_the_role_and_the_time_and_records_one_event() -> None:
    plan = make_plan()
    item = _check(plan)
    alice, quinn = User.objects.get(username="alice"), User.objects.get(username="quinn")
    with time_machine.travel(T0 + 2 * M, tick=False):
        with pytest.raises(PermissionDenied):
            item_occurrence_tick(item, index=0, by=quinn)
        with pytest.raises(ValidationError, match="not due yet"):
            item_occurrence_tick(item, index=3, by=alice)
        first = item_occurrence_tick(item, index=0, by=alice)
        assert item_occurrence_tick(item, index=0, by=alice) == first  # a double click: one tick
    with time_machine.travel(T0 + 40 * M, tick=False):  # #2 (12:15) was missed at 12:30: ticked late
        item_occurrence_tick(item, index=1, by=alice)
    events = Event.objects.filter(plan=plan, kind="item.occurrence_ticked").order_by("id")
    assert [e.summary for e in events] == [
        "Ticked “Health check” #1 (due Sat 12:00)",
        "Ticked “Health check” #2 (due Sat 12:15) late, after it was missed",
    ]


def test_the_tick_view_ticks_and_refuses_another_roles_holder() -> None:
    plan = make_plan()
    item = _check(plan)
    url = reverse("checklists:occurrence_tick", args=[plan.slug, "sre", item.pk, 0])
    with time_machine.travel(T0 + 2 * M, tick=False):
        other = Client(raise_request_exception=False)
        other.force_login(User.objects.get(username="quinn"))
        assert other.post(url).status_code == 403
        assert not Occurrence.objects.exists()
        owner = Client()
        owner.force_login(User.objects.get(username="alice"))
        response = owner.post(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "1 done" in response.content.decode() and "#2 of 9" in response.content.decode()  # #2 due soon
    tick = Occurrence.objects.select_related("done_by").get()
    assert tick.done_by is not None and tick.done_by.username == "alice"


def _board_queries(plan: Plan, at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        board_views.render_board(plan)
        with CaptureQueriesContext(connection) as ctx:
            board_views.render_board(plan)
    return len(ctx.captured_queries)


def _role_queries(client: Client, plan: Plan, at: datetime) -> int:
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("checklists:role", args=[plan.slug, "sre"])).status_code == 200
    return len(ctx.captured_queries)


def test_series_and_shifts_cost_a_fixed_number_of_queries() -> None:
    plan = make_plan()
    alice = User.objects.get(username="alice")
    client = Client()
    client.force_login(alice)
    at = T0 + 100 * M
    board_before, role_before = _board_queries(plan, at), _role_queries(client, plan, at)
    item = _check(plan)
    for k in range(5):  # more series, more ticks: the same number of queries
        twin = Item.objects.create(plan=plan, checklist=item.checklist, title=f"Check {k}", order=10 + k)
        twin.recurrence = None
        from checklists.models import Recurrence

        Recurrence.objects.create(plan=plan, item=twin, every=5 * M, start=timedelta(0), until=3 * H)
        Occurrence.objects.bulk_create(
            [Occurrence(item=twin, index=i, due_at=T0, done_at=T0, done_by=alice) for i in range(15)]
        )
    assert _board_queries(plan, at) == board_before
    assert _role_queries(client, plan, at) == role_before
    # the board of a plan without series or shifts keeps its pin (tests/warroom/test_board.py): the series
    # (2 queries) and the shifts (1) are read only when the plan has them
    assert board_before <= 26 + 3


def test_bad_repeats_name_their_line() -> None:
    from launch.format import PlanFormatError
    from launch.services.importer import import_plan_text

    from .helpers import people

    people()
    both = PLAN.replace("          every: 15m\n", "          every: 15m\n          times:\n            - 09:00\n")
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(both, t0="2026-12-05T12:00", tz="UTC", filename="w.yaml")
    assert exc.value.lines() == [
        "w.yaml:32: item 'Health check': repeat needs every (an interval) or times (clock times), one of them"
    ]
    dated = PLAN.replace("      - title: Health check\n", "      - title: Health check\n        due: T+1h\n")
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(dated, t0="2026-12-05T12:00", tz="UTC", filename="w.yaml")
    assert exc.value.lines() == ["w.yaml:32: item 'Health check' repeats: each occurrence is due on its own, drop due"]
    clock = PLAN.replace("          every: 15m\n", "          times:\n            - 9am\n")
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(clock, t0="2026-12-05T12:00", tz="UTC", filename="w.yaml")
    assert (
        "w.yaml:34: checklists[0].items[0].repeat.times[0]: '9am' is not a clock time such as 09:00"
        in exc.value.lines()
    )
    backwards = PLAN.replace("          until: T+2h\n", "          until: T-2h\n")
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(backwards, t0="2026-12-05T12:00", tz="UTC", filename="w.yaml")
    assert exc.value.lines() == ["w.yaml:35: item 'Health check': the repeat ends (until) before it starts (from)"]


def test_now_is_read_in_utc() -> None:
    assert datetime(2026, 12, 5, 12, 0, tzinfo=UTC) == T0
