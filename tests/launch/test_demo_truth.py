"""The demo tells the truth (issue 11, finding 9): rollback triggers to try the alarm on, a log whose times
are those of the launch it tells, launch-day checklists without clock times that contradict the plan, and
no "[DATE]" left in its summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from checklists.models import Checklist, Gate, Item, ItemStatus, ReadinessBar, Vote
from communications.models import Message
from issues.models import Issue
from plans.models import Event, MetricReading, Plan, RollbackTrigger, Step
from plans.services import reading_record, triggers_evaluate
from readiness.figures import plan_figures
from readiness.models import Attendee, ReadinessItem, Session, Track

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def _demo_loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """``load_demo`` once for the module (it was most of each test's time), in a transaction rolled back
    after the module's last test. Each test still runs in a savepoint of its own inside it (pytest-django's
    ``db``), rolled back after it, so what one test changes the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(VAR_DIR=tmp_path_factory.mktemp("demo")), time_machine.travel(NOW, tick=False):
            call_command("load_demo", stdout=StringIO())
        yield Plan.objects.get(slug="demo-heypeter").pk
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded: int, db: None) -> Plan:
    return Plan.objects.get(pk=_demo_loaded)


def test_the_demo_has_rollback_triggers_bound_to_its_metrics(demo: Plan) -> None:
    triggers = list(RollbackTrigger.objects.filter(plan=demo).select_related("metric"))
    bound = [t for t in triggers if t.metric is not None]
    assert len(bound) >= 3 and any(t.metric is None for t in triggers)  # and one a person raises
    assert all(t.comparator and t.threshold is not None and t.sustained_for for t in bound)
    # The alarm can be tried: an error rate above the threshold, held for the window, breaches.
    error = next(t for t in bound if t.metric and t.metric.name == "Error rate")
    assert error.metric is not None and error.sustained_for is not None
    coordinator = demo.coordinator
    assert coordinator is not None
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        reading_record(error.metric, value="2.5", by=coordinator)
    later = NOW + timedelta(minutes=1) + error.sustained_for + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        reading_record(error.metric, value="2.7", by=coordinator)
        states = triggers_evaluate(error.metric, now=later)
    assert any(s.trigger == error and s.in_breach for s in states), states


def test_the_log_has_the_times_of_the_launch(demo: Plan) -> None:
    events = list(Event.objects.filter(plan=demo))
    seconds = {e.at.replace(microsecond=0) for e in events}
    assert len(seconds) > len(events) // 2, "the events are not all at one moment"
    assert all(demo.created_at <= e.at <= NOW for e in events)
    done = [
        at
        for at in Item.objects.filter(plan=demo, status=ItemStatus.DONE).values_list("done_at", flat=True)
        if at is not None
    ]
    readings = [
        at
        for at in MetricReading.objects.filter(metric__plan=demo).values_list("recorded_at", flat=True)
        if at is not None
    ]
    assert len(done) == Item.objects.filter(plan=demo, status=ItemStatus.DONE).count(), "every done item has a time"
    assert done and readings
    assert demo.created_at < min(done) and max(done) < min(readings) <= NOW  # made, then done, then measured
    for issue in Issue.objects.filter(plan=demo):
        assert issue.reported_at < NOW and (issue.respond_by is None or issue.respond_by > issue.reported_at)


def test_a_gate_is_decided_at_its_moment_with_dated_votes(demo: Plan) -> None:
    gate = Gate.objects.get(plan=demo, name="Go/No-Go")
    held = demo.t0 + (gate.offset or timedelta(0))
    assert gate.decided_at == held and held.date() < demo.t0.date()  # the T-1d gate: the day before
    votes = list(Vote.objects.filter(gate=gate))
    assert votes and all(held - timedelta(minutes=30) < v.voted_at < held for v in votes)
    assert len({v.voted_at for v in votes}) == len(votes)
    decided = Event.objects.get(plan=demo, kind="gate.decided")
    assert decided.at == held


def test_the_gate_page_dates_yesterdays_votes_and_ticks(demo: Plan, client: Client) -> None:
    """A vote or a criterion ticked the day before reads with its weekday ("Fri 06:40 GMT"), not as a time of
    day still to come on launch day; today's read as the time alone."""
    gate = Gate.objects.get(plan=demo, name="Go/No-Go")
    vote = Vote.objects.filter(gate=gate).order_by("voted_at").first()
    assert vote is not None and demo.coordinator is not None
    client.force_login(demo.coordinator)
    local = vote.voted_at.astimezone(demo.zone)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("checklists:gate", args=[demo.slug, gate.slug])).content.decode()
    assert f"{local:%a %H:%M} {local:%Z}" in html and local.date() < NOW.astimezone(demo.zone).date()
    with time_machine.travel(vote.voted_at + timedelta(minutes=5), tick=False):
        html = client.get(reverse("checklists:gate", args=[demo.slug, gate.slug])).content.decode()
    assert f"{local:%H:%M} {local:%Z}" in html and f"{local:%a %H:%M}" not in html


def test_checklist_names_and_summary_do_not_contradict_the_plan(demo: Plan, client: Client) -> None:
    names = list(Checklist.objects.filter(plan=demo).values_list("name", flat=True))
    assert names and not [n for n in names if re.search(r"\b\d{1,2}:\d{2}\b", n)], names
    assert "Launch day: Soft Launch" in names
    assert "[DATE]" not in demo.summary and "[DATE]" not in str(demo.extra)
    launch_day = demo.local(demo.t0)
    assert f"{launch_day.day} {launch_day:%B %Y}" in demo.summary
    assert demo.coordinator is not None
    client.force_login(demo.coordinator)
    assert client.get(reverse("plans:detail", args=[demo.slug])).status_code == 200


def test_step_descriptions_and_messages_name_no_clock_time(demo: Plan) -> None:
    """The template was written for a 12:00 T-0 ("10:00 - Soft Launch", "(06:00 to 12:00)"); the demo's T-0 is
    two hours from whenever it is loaded, so those clock times would contradict it (found by the walkthrough:
    the hourly internal update asked to be posted "every hour during deployment (06:00 to 12:00)" at 14:13)."""
    clock = re.compile(r"\b\d{1,2}:\d{2}\b")
    texts = [*Step.objects.filter(plan=demo).values_list("description", flat=True)]
    texts += [*Message.objects.filter(plan=demo).values_list("body", flat=True)]
    texts += [*demo.phases.values_list("description", flat=True)]
    assert texts and not [t for t in texts if clock.search(t)], [t for t in texts if clock.search(t)]
    assert Step.objects.get(plan=demo, name="Soft Launch").description == "Soft Launch"


def test_the_demo_shows_readiness(demo: Plan, client: Client) -> None:
    """Training tracks with sessions at T-offsets and attendees (some complete), readiness items per role (some
    done), and the go/no-go bound to the support team's figure, met, so its page shows it (issue 13)."""
    tracks = list(Track.objects.filter(plan=demo).order_by("order"))
    assert [t.name for t in tracks] == ["Support team", "Instructors", "On-call engineers"]
    assert all(t.sessions.exists() and t.lead_role is not None for t in tracks)
    assert Session.objects.filter(plan=demo, offset__lt=timedelta(0)).exists()  # trained before T-0
    assert Session.objects.filter(plan=demo, offset__gt=timedelta(0)).exists()  # and after it
    attendees = Attendee.objects.filter(track__plan=demo)
    assert attendees.filter(completed_at__isnull=False).exists() and attendees.filter(completed_at=None).exists()
    assert all(a.completed_at <= NOW for a in attendees if a.completed_at is not None)
    items = ReadinessItem.objects.filter(plan=demo)
    assert items.values("role").distinct().count() == demo.roles.count()  # every role has some
    assert items.filter(done_at__isnull=False).exists() and items.filter(done_at=None).exists()
    figures = {f.track.name: f for f in plan_figures(demo)}
    assert figures["Support team"].label == "83 % (5/6)"
    bar = ReadinessBar.objects.get(gate__plan=demo)
    assert bar.gate.name == "Go/No-Go" and bar.track.name == "Support team" and bar.minimum == 80
    # Each readiness event in the log at its moment: a completion at its session's end, a tick days ahead.
    ticked = Event.objects.filter(plan=demo, kind__startswith="readiness.")
    assert ticked.count() == attendees.filter(completed_at__isnull=False).count() + items.exclude(done_at=None).count()
    assert all(e.at < demo.t0 - timedelta(days=1) for e in ticked)

    assert demo.coordinator is not None
    client.force_login(demo.coordinator)
    html = client.get(reverse("readiness:summary", args=[demo.slug])).content.decode()
    assert "83 % (5/6)" in html and "Femi Adeyemi" in html and "Instructor FAQ published" in html
    assert "Support intensive · T-4d" in html
    html = client.get(reverse("checklists:gate", args=[demo.slug, bar.gate.slug])).content.decode()
    assert "Support team trained ≥ 80 %" in html and "83 % (5/6)" in html
    html = client.get(reverse("checklists:role", args=[demo.slug, "support-lead"])).content.decode()
    assert 'id="readiness"' in html and "Canned replies for the known issues loaded" in html
    # The DBA is on the on-call engineers' list: their home page shows the drill, done.
    client.force_login(User.objects.get(username="dba"))
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("launch:home")).content.decode()
    assert 'id="my-training"' in html and "On-call engineers</a> training" in html
    assert "Booked on <b>Runbook and rollback drill</b>" in html and "Completed" in html


def test_the_demo_rates_its_risks_so_the_grid_shows_them(demo: Plan, client: Client) -> None:
    """The seed rates only impact, which left the risk register's grid at 0 in every cell: the demo rates each
    risk's probability and gives each an owner, so the grid and the register show what they are for."""
    from plans.models import Risk

    risks = list(Risk.objects.filter(plan=demo).select_related("owner_role"))
    assert len(risks) == 3 and all(r.probability and r.impact and r.owner_role for r in risks)
    assert demo.coordinator is not None
    client.force_login(demo.coordinator)
    html = client.get(reverse("issues:risks", args=[demo.slug])).content.decode()
    assert "Not rated on both axes" not in html and "? ·" not in html
    assert "Medium · High" in html and "Low · High" in html


def test_a_fresh_demo_shows_its_communications_sent_not_late(demo: Plan) -> None:
    """The outbox's first tick found every communication of the week before due and unsent (the demo is made
    in a second) and listed 16 "Late (not sent)" on a fresh demo: what the launch told so far went out."""
    from communications import outbox
    from communications.models import Delivery, DeliveryStatus
    from communications.selectors import communications_page

    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        outbox.tick(dispatch=lambda ids, token: None)
        page = communications_page(demo)
    statuses = dict(Delivery.objects.filter(plan=demo).values_list("status").annotate(n=Count("id")))
    assert statuses.get(DeliveryStatus.SENT, 0) >= 5 and DeliveryStatus.LATE not in statuses, statuses
    assert page["late_count"] == 0
    sent = Delivery.objects.filter(plan=demo, status=DeliveryStatus.SENT)
    assert all(d.sent_at == d.due_at for d in sent)  # at their moment
    assert all(d.address for d in sent if d.channel_kind != "status_page")  # and somewhere to go
    posts = [d.status_post.published_at for d in sent.filter(channel_kind="status_page").select_related("status_post")]
    assert posts and posts == [d.due_at for d in sent.filter(channel_kind="status_page")]  # on the public page


def test_the_earlier_posts_by_hand_are_marked_posted_and_the_one_due_now_is_not(demo: Plan, client: Client) -> None:
    """The product manager (the demo's communications role) posted the earlier hourly updates to the launch
    channel by hand, minutes after each was due; the one due now shows "Mark posted" on their page."""
    from communications.models import HandPost

    posts = list(HandPost.objects.filter(plan=demo).select_related("posted_by").order_by("due_at"))
    assert posts and all(p.posted_by is not None and p.posted_by.username == "pm" for p in posts)
    assert all(p.due_at < p.posted_at <= p.due_at + timedelta(minutes=5) < NOW for p in posts)
    logged = Event.objects.filter(plan=demo, kind="comms.posted_by_hand").order_by("at")
    assert [e.at for e in logged] == [p.posted_at for p in posts]
    client.force_login(User.objects.get(username="pm"))
    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        tasks = client.get(f"/plans/{demo.slug}/roles/product-manager/").content.decode().split('id="tasks"', 1)[1]
    shown = [p for p in posts if p.due_at > NOW - timedelta(hours=2)]  # the page lists the last two hours' tasks
    assert shown and tasks.count("Posted by Pat Product") == len(shown) and tasks.count(">Mark posted</button>") == 1


def test_the_demo_rolls_out_in_stages_as_its_summary_says(demo: Plan, client: Client) -> None:
    """ "A phased rollout approach", the summary says: the rollout page shows its stages, the metrics each needs,
    and, before the launch, why it cannot be advanced yet."""
    from plans.models import Rollout

    rollout = Rollout.objects.get(plan=demo)
    stages = list(rollout.stages.order_by("order"))
    assert [(s.name, s.percent) for s in stages] == [("Canary", 10), ("Half of learners", 50), ("Everyone", 100)]
    assert rollout.authority_role is not None and rollout.authority_role.name == "Technical Lead"
    assert all(s.metrics.exists() for s in stages)
    assert demo.coordinator is not None
    client.force_login(demo.coordinator)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("plans:rollout", args=[demo.slug])).content.decode()
    assert "has no rollout stages" not in html
    for text in ("Canary", "10 %", "Half of learners", "Everyone", "Error rate"):
        assert text in html, text
