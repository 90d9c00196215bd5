from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from plans.models import Event, Hold, Plan, PlanStatus
from plans.selectors import axis_pct, critical_path
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def detail(plan: Plan) -> str:
    return reverse("plans:detail", args=[plan.slug])


def test_home_lists_my_roles_with_links_to_role_pages(client: Client, plan: Plan) -> None:
    me = factories.UserFactory(username="me")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", backup=me)
    factories.ItemFactory(checklist__plan=plan, checklist__role=role)
    client.force_login(me)
    html = client.get(reverse("launch:home")).content.decode()
    assert reverse("checklists:role", args=[plan.slug, "dba"]) in html
    assert "Backup" in html and "1 open" in html


def test_coordinator_sees_transition_buttons_others_do_not(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    html = client.get(detail(plan)).content.decode()
    assert 'value="launched"' in html and "Start hold" in html
    client.force_login(factories.UserFactory(username="someone"))
    html = client.get(detail(plan)).content.decode()
    assert 'value="launched"' not in html and "Start hold" not in html


def test_transition_refused_with_clear_message(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("plans:transition", args=[plan.slug]), {"to": "completed"}, follow=True)
    assert "The launch cannot go from Countdown to Completed." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN


def test_transition_by_non_coordinator_is_403(client: Client, plan: Plan) -> None:
    client.force_login(factories.UserFactory(username="someone"))
    assert client.post(reverse("plans:transition", args=[plan.slug]), {"to": "launched"}).status_code == 403
    assert client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "x"}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN
    assert not Event.objects.filter(plan=plan).exists()


def test_hold_through_the_views_slips_every_later_time(client: Client, plan: Plan, coordinator: User) -> None:
    before = factories.StepFactory(plan=plan, name="Before", offset=timedelta(hours=-5))
    after = factories.StepFactory(plan=plan, name="After", offset=timedelta(hours=-1))
    gate = factories.GateFactory(plan=plan, offset=timedelta(minutes=-30))
    item = factories.ItemFactory(checklist__plan=plan, due_offset=timedelta(hours=2))
    client.force_login(coordinator)
    with time_machine.travel(T0 - timedelta(hours=3), tick=False):
        client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "Vendor outage"})
    with time_machine.travel(T0 - timedelta(hours=2), tick=False):
        client.post(reverse("plans:hold_end", args=[plan.slug]))
        html = client.get(detail(plan)).content.decode()
    plan.refresh_from_db()
    for obj in (before, after, gate, item):
        obj.refresh_from_db()
    assert plan.t0 == T0 + timedelta(hours=1) and plan.status == PlanStatus.COUNTDOWN
    assert gate.offset is not None and item.due_offset is not None
    assert plan.t0 + before.offset == T0 - timedelta(hours=5)
    assert plan.t0 + after.offset == T0
    assert plan.t0 + gate.offset == T0 + timedelta(minutes=30)
    assert plan.t0 + item.due_offset == T0 + timedelta(hours=3)
    assert "Vendor outage" in html and "slipped 1h" in html


def test_hold_needs_a_reason(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": ""}, follow=True)
    assert "A hold needs a reason." in response.content.decode()
    assert not Hold.objects.exists()


def test_rebaseline_previews_before_applying(client: Client, plan: Plan, coordinator: User) -> None:
    factories.StepFactory(plan=plan, name="Deploy API", offset=timedelta(hours=-1))
    client.force_login(coordinator)
    # Europe/London in December is UTC+0; move T-0 two hours later.
    response = client.get(detail(plan), {"new_t0": "2026-12-01T14:00", "reason": "Vendor asked"})
    html = response.content.decode()
    assert "T-0 moves from" in html and "+2h" in html
    assert "Deploy API" in html and "Tue 1 Dec 11:00" in html and "Tue 1 Dec 13:00" in html
    plan.refresh_from_db()
    assert plan.t0 == T0  # a preview changes nothing
    client.post(
        reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": "2026-12-01T14:00:00+00:00", "reason": "Vendor"}
    )
    plan.refresh_from_db()
    assert plan.t0 == T0 + timedelta(hours=2)
    assert Event.objects.filter(plan=plan, kind="plan.rebaselined").count() == 1


def test_the_rebaseline_preview_lists_the_running_step(plan: Plan) -> None:
    """A step running since before now moves too; the preview left it out (it listed steps planned from now)."""
    from plans.models import StepStatus
    from plans.selectors import rebaseline_preview

    factories.StepFactory(plan=plan, name="Soft launch", offset=timedelta(hours=-2), status=StepStatus.IN_PROGRESS)
    factories.StepFactory(plan=plan, name="Done early", offset=timedelta(hours=-3), status=StepStatus.DONE)
    factories.StepFactory(plan=plan, name="Public launch", offset=timedelta(0))
    preview = rebaseline_preview(plan, T0 + timedelta(days=2), now=T0 - timedelta(hours=1))
    assert [m["step"].name for m in preview["moves"]] == ["Soft launch", "Public launch"]


def test_rebaseline_preview_rejects_garbage(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    html = client.get(detail(plan), {"new_t0": "tomorrow"}).content.decode()
    assert "is not a date and time" in html


def test_timeline_marks_late_critical_and_now(client: Client, plan: Plan) -> None:
    a = factories.StepFactory(plan=plan, name="Freeze", offset=timedelta(hours=-4), duration=timedelta(hours=1))
    b = factories.StepFactory(plan=plan, name="Migrate", offset=timedelta(hours=-3), duration=timedelta(hours=2))
    c = factories.StepFactory(plan=plan, name="Side task", offset=timedelta(hours=-3), duration=timedelta(minutes=5))
    b.depends_on.add(a)
    client.force_login(factories.UserFactory(username="viewer"))
    with time_machine.travel(T0 - timedelta(hours=2), tick=False):
        html = client.get(reverse("plans:timeline", args=[plan.slug])).content.decode()
    assert 'class="tl-now"' in html
    assert f'id="tl-step-{a.pk}"' in html
    assert f'<div class="tl-row is-critical is-late" role="row" id="tl-step-{a.pk}"' in html
    assert f'<div class="tl-row is-late" role="row" id="tl-step-{c.pk}"' in html
    assert a.lead_role is not None
    filtered = client.get(reverse("plans:timeline", args=[plan.slug]), {"role": a.lead_role.slug}).content.decode()
    assert "Freeze" in filtered and "Side task" not in filtered


def test_critical_path_is_the_longest_dependent_chain() -> None:
    durations = {1: 60.0, 2: 120.0, 3: 10.0, 4: 500.0, 5: 30.0}
    deps = {2: [1], 3: [2], 5: [1]}
    assert critical_path(durations, deps) == [1, 2, 3]
    assert critical_path({1: 1.0}, {}) == []


def test_axis_zooms_launch_day() -> None:
    assert axis_pct(-8 * 86400) == 0 and axis_pct(8 * 86400) == 100
    assert axis_pct(-6 * 3600) == 24 and axis_pct(12 * 3600) == 80
    one_hour_on_launch_day = axis_pct(3600) - axis_pct(0)
    one_hour_days_before = axis_pct(-3 * 86400 + 3600) - axis_pct(-3 * 86400)
    assert one_hour_on_launch_day > 10 * one_hour_days_before


def test_activity_filters_by_role_and_kind_and_paginates(client: Client, plan: Plan, coordinator: User) -> None:
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    items = [factories.ItemFactory(checklist__plan=plan, checklist__role=role, title=f"Check {n}") for n in range(55)]
    from checklists.services import item_tick

    for item in items:
        item_tick(item, by=owner)
    from plans.services import hold_start

    hold_start(plan, by=coordinator, reason="Lunch")
    client.force_login(owner)
    url = reverse("plans:activity", args=[plan.slug])
    html = client.get(url).content.decode()
    assert "Page 1 of 2" in html and "56 events" in html
    html = client.get(url, {"kind": "hold"}).content.decode()
    assert "HOLD: Lunch" in html and "Check 1" not in html
    html = client.get(url, {"role": "dba", "page": "2"}).content.decode()
    assert "Page 2 of 2" in html and "HOLD: Lunch" not in html


def test_activity_without_the_readings_on_target(client: Client, plan: Plan, coordinator: User) -> None:
    """A monitoring push's readings every few seconds bury the ticks and holds: "All but readings on target" keeps
    every other event, an off-target reading among them, and pages and counts what it keeps."""
    from checklists.services import item_tick
    from plans.services import reading_record

    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    metric = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    tracked = factories.MetricFactory(plan=plan, name="Sign-ups", comparator="", target=None, unit="")
    item_tick(factories.ItemFactory(checklist__plan=plan, checklist__role=role, title="Replica checked"), by=owner)
    for n in range(60):
        reading_record(metric, value="0.05", by=coordinator)
        reading_record(tracked, value=str(n), by=coordinator)
    reading_record(metric, value="0.4", by=coordinator)
    client.force_login(owner)
    url = reverse("plans:activity", args=[plan.slug])
    assert "Replica checked" not in client.get(url).content.decode()  # on page 3 of everything
    html = client.get(url, {"kind": "news"}).content.decode()
    assert "Replica checked" in html and "Error rate: 0.4 % (OFF TARGET)" in html
    assert "(on target)" not in html and "Sign-ups" not in html
    assert '<option value="news" selected>All but readings on target</option>' in html
    assert "Page 1 of" not in html  # two events: one page


def test_activity_shows_kinds_in_words(client: Client, plan: Plan, coordinator: User) -> None:
    """Issue 11, finding 17: the log says "Metric reading", not the raw kind ``metric.reading``."""
    from plans.templatetags.eventkind import kind_label

    metric = factories.MetricFactory(plan=plan, name="Error rate")
    from plans.services import reading_record

    reading_record(metric, value="0.05", by=coordinator)
    client.force_login(coordinator)
    html = client.get(reverse("plans:activity", args=[plan.slug])).content.decode()
    assert "<td>metric.reading</td>" not in html and "<code>metric.reading</code>" not in html
    assert ">Metric reading</td>" in html
    assert ">Metrics (all)</option>" in html
    assert kind_label("custom.some_thing") == "Custom some thing"


def test_open_steps_say_late_and_running_as_the_timeline_does(client: Client, plan: Plan) -> None:
    """The plan page's open steps: a pending step past its start is late, a running one is running (and late
    once past its finish), one not due yet is neither (plans.lateness, the timeline's words)."""
    mid = timedelta(minutes=30)
    factories.StepFactory(plan=plan, name="Freeze writes", offset=timedelta(hours=-3), duration=mid)
    running = factories.StepFactory(plan=plan, name="Migrate", offset=timedelta(hours=-2), duration=2 * mid)
    factories.StepFactory(plan=plan, name="Open the doors", offset=timedelta(0), duration=mid)
    running.status = "in_progress"
    running.save()
    client.force_login(factories.UserFactory(username="viewer"))

    def lines(at: timedelta) -> dict[str, str]:
        with time_machine.travel(T0 + at, tick=False):
            html = client.get(detail(plan)).content.decode()
        section = html.split("Open steps", 1)[1].split("</ul>", 1)[0]
        out = {}
        for li in section.split("<li>")[1:]:
            text = " ".join(re.sub(r"<[^>]+>", " ", li).split())
            name = next(n for n in ("Freeze writes", "Migrate", "Open the doors") if n in text)
            out[name] = text
        return out

    at = lines(-timedelta(hours=2, minutes=-30))  # T-1h30m: Migrate started at T-2h, finishes at T-1h
    assert "late" in at["Freeze writes"].split() and "running" not in at["Freeze writes"]
    assert "running" in at["Migrate"] and "late" not in at["Migrate"].split()
    assert "late" not in at["Open the doors"].split() and "running" not in at["Open the doors"]
    at = lines(-timedelta(minutes=30))  # T-30m: Migrate is past its finish
    assert "running" in at["Migrate"] and "late" in at["Migrate"].split()
    at = lines(timedelta(minutes=1))
    assert "late" in at["Open the doors"].split()


def test_the_activity_logs_kinds_are_those_the_plan_logged(plan: Plan, coordinator: User) -> None:
    """Found through the (plan, kind) index one after another, not by reading every event; the same list."""
    from plans.selectors import event_kinds

    other = factories.PlanFactory(coordinator=coordinator)
    assert event_kinds(plan) == []
    for kind in ("item.ticked", "hold.started", "metric.reading", "item.ticked", "gate.decided", "metric.reading"):
        Event.objects.create(plan=plan, kind=kind, summary=kind)
    Event.objects.create(plan=other, kind="zz.other", summary="elsewhere")
    Event.objects.create(plan=other, kind="aa.other", summary="elsewhere")
    assert event_kinds(plan) == ["gate.decided", "hold.started", "item.ticked", "metric.reading"]
    assert event_kinds(other) == ["aa.other", "zz.other"]
