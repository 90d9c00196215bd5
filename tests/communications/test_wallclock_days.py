"""Issue 10, finding 9 on the communications side: a T-offset with whole days is the same wall-clock time
in the plan's zone (``Plan.at``), in the reminders, the message schedule, the board's counts and the
calendar feed, as on the role page. T-0 is a winter 07:05 in London; T-30d falls in summer time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from checklists.models import Item
from communications import outbox
from communications.ical import feed_create
from communications.models import Audience, Channel, ChannelKind, Delivery, Message, MessageKind
from communications.sources.schedule import message_context
from plans.models import Plan
from plans.wallclock import after_q, before_q, offset_of
from tests import factories
from tests.beats import run_due
from warroom import selectors as board

pytestmark = pytest.mark.django_db

H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)
# London leaves summer time at 01:00 UTC on Sunday 25 October 2026.
T0 = datetime(2026, 11, 10, 7, 5, tzinfo=UTC)  # 07:05 GMT
T30 = datetime(2026, 10, 11, 6, 5, tzinfo=UTC)  # T-30d: 07:05 BST (elapsed 30 days would be 08:05 BST)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def london(coordinator: User) -> Plan:
    with time_machine.travel(T30 - 10 * D, tick=False):
        return factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="Europe/London")


def _run(start: datetime, end: datetime, step: timedelta) -> None:
    t = start
    while t <= end:
        with time_machine.travel(t, tick=False):
            outbox.tick(now=t)
        t += step


def test_the_page_and_plan_at_agree_on_t_minus_30_days(london: Plan) -> None:
    assert london.at(-30 * D) == T30
    assert f"{london.local(T30):%H:%M %Z}" == "07:05 BST"
    assert offset_of(london, T30) == -30 * D  # the countdown a message shows at that moment: T-30d, not T-30d1h


def test_an_item_reminder_goes_out_once_at_the_wall_clock_time_the_role_page_shows(
    client: Client, london: Plan
) -> None:
    role = factories.RoleFactory(plan=london, name="DBA", slug="dba", backup=factories.UserFactory())
    item = factories.ItemFactory(checklist__plan=london, checklist__role=role, title="Order spares", due_offset=-30 * D)
    _run(T30 - 2 * H, T30 + H, 5 * M)
    due = Delivery.objects.filter(source_kind="item.due", source_id=item.pk)
    assert sorted(due.values_list("recipient", flat=True)) == sorted(
        [f"user:{role.primary_id}", f"user:{role.backup_id}"]
    )  # once per holder
    assert set(due.values_list("due_at", flat=True)) == {T30 - london.reminder_lead}
    overdue = Delivery.objects.filter(source_kind="item.overdue", source_id=item.pk)
    assert overdue.count() == 2 and all(T30 < d.due_at <= T30 + 10 * M for d in overdue)
    assert "07:05 BST" in due.first().subject  # type: ignore[union-attr]
    assert role.primary is not None
    client.force_login(role.primary)
    with time_machine.travel(T30 - 3 * H, tick=False):
        html = client.get(reverse("checklists:role", args=[london.slug, role.slug])).content.decode()
    assert "Sun 11 Oct 07:05 BST" in html and 'datetime="2026-10-11T06:05:00+00:00"' in html
    # Ticking again later sends nothing more.
    _run(T30 + H, T30 + 3 * H, 30 * M)
    assert Delivery.objects.filter(source_id=item.pk, source_kind__startswith="item.").count() == 4


def test_a_step_reminder_and_a_late_start_use_the_wall_clock_start(london: Plan) -> None:
    role = factories.RoleFactory(plan=london, name="Ops", slug="ops")
    step = factories.StepFactory(plan=london, lead_role=role, name="Order racks", offset=-30 * D, duration=H)
    _run(T30 - H, T30 + 30 * M, 5 * M)
    due = Delivery.objects.get(source_kind="step.due", source_id=step.pk)
    late = Delivery.objects.get(source_kind="step.late_start", source_id=step.pk)
    assert due.due_at == T30 - london.reminder_lead
    assert T30 < late.due_at <= T30 + 10 * M


def test_a_scheduled_message_and_a_daily_series_keep_their_wall_clock_time(london: Plan) -> None:
    page = Channel.objects.create(plan=london, name="Status page", kind=ChannelKind.STATUS_PAGE)
    once = Message.objects.create(
        plan=london, name="Heads-up", offset=-30 * D, kind=MessageKind.STATUS_UPDATE, audience=Audience.PUBLIC
    )
    daily = Message.objects.create(
        plan=london,
        name="Daily",
        offset=-20 * D,  # Wed 21 Oct 07:05 BST, on to Wed 28 Oct 07:05 GMT
        every=D,
        count=8,
        kind=MessageKind.STATUS_UPDATE,
        audience=Audience.PUBLIC,
    )
    once.channels.set([page])
    daily.channels.set([page])
    run_due(london, T30 - H, T30 + H)  # around each send (tests/beats.py)
    run_due(london, T0 - 20 * D - 2 * H, T0 - 12 * D)
    sent = Delivery.objects.filter(source_kind="message", source_id=once.pk)
    assert list(sent.values_list("due_at", flat=True)) == [T30]
    series = list(
        Delivery.objects.filter(source_kind="message", source_id=daily.pk)
        .order_by("due_at")
        .values_list("due_at", flat=True)
    )
    assert [f"{london.local(t):%d %H:%M %Z}" for t in series] == [
        "21 07:05 BST",
        "22 07:05 BST",
        "23 07:05 BST",
        "24 07:05 BST",
        "25 07:05 GMT",
        "26 07:05 GMT",
        "27 07:05 GMT",
        "28 07:05 GMT",
    ]
    assert message_context(london, once, occurrence=1, at=T30)["countdown"] == "T-30d"
    # The board's communications panel names the same next send.
    with time_machine.travel(T30 - H, tick=False):
        assert board.comms(london, T30 - H).next_at == T30
    assert board.message_times(daily, london, T0 - 16 * D + M) == (
        datetime(2026, 10, 25, 7, 5, tzinfo=UTC),  # 07:05 GMT on the day of the change
        datetime(2026, 10, 26, 7, 5, tzinfo=UTC),
    )


def test_the_calendar_event_starts_when_the_page_says(client: Client, london: Plan) -> None:
    role = factories.RoleFactory(plan=london, name="DBA", slug="dba")
    item = factories.ItemFactory(checklist__plan=london, checklist__role=role, title="Order spares", due_offset=-30 * D)
    step = factories.StepFactory(plan=london, lead_role=role, name="Rack", offset=-7 * D - 2 * H, duration=H)
    assert role.primary is not None
    _, token = feed_create(role, by=role.primary)
    body = client.get(reverse("communications:ical", args=[london.slug, token])).content.decode()
    events = body.split("BEGIN:VEVENT")[1:]
    by_uid = {next(line for line in e.splitlines() if line.startswith("UID")): e for e in events}
    item_event = next(e for uid, e in by_uid.items() if f"item-{item.pk}" in uid)
    step_event = next(e for uid, e in by_uid.items() if f"step-{step.pk}" in uid)
    assert "DTSTART:20261011T060500Z" in item_event  # 07:05 BST, as on the role page
    assert "DTSTART:20261103T050500Z" in step_event  # T-7d2h: 07:05 GMT on 3 Nov, two hours back


def test_the_board_counts_an_item_late_from_its_wall_clock_due_time(london: Plan) -> None:
    role = factories.RoleFactory(plan=london, name="DBA")
    factories.ItemFactory(checklist__plan=london, checklist__role=role, title="Order spares", due_offset=-30 * D)
    for at, late in ((T30 - M, 0), (T30, 0), (T30 + M, 1)):
        assert [r.late for r in board.role_rows(london, at) if r.name == "DBA"] == [late]
        assert board.next_entries(london, at)[1] == late
    assert T30 in board.next_deadlines(london, T30 - 5 * M, T30 + 5 * M)
    assert T30 - 30 * M in board.next_deadlines(london, T30 - 35 * M, T30 - 25 * M)


@pytest.mark.parametrize("tz", ["Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"])
def test_before_q_is_exactly_plan_at_before_a_moment(coordinator: User, tz: str) -> None:
    """The query filter and ``Plan.at`` agree for offsets on both sides of a change, with sub-day parts too
    (``T-1d23h30m`` is not monotone in elapsed time across a spring change)."""
    plan = factories.PlanFactory(coordinator=coordinator, t0=datetime(2026, 11, 10, 7, 5, tzinfo=UTC), timezone=tz)
    checklist = factories.ChecklistFactory(plan=plan, role=factories.RoleFactory(plan=plan))
    offsets = [
        sign * (d * D + extra)
        for sign in (-1, 1)
        for d in (0, 1, 15, 16, 17, 30, 160, 230)
        for extra in (timedelta(0), 30 * M, H, 23 * H + 30 * M)
    ]
    for n, offset in enumerate(sorted(set(offsets))):
        factories.ItemFactory(checklist=checklist, title=f"i{n}", due_offset=offset)
    factories.ItemFactory(checklist=checklist, title="none", due_offset=None)
    items = list(Item.objects.filter(plan=plan))
    moments = sorted({plan.at(i.due_offset) + e for i in items if i.due_offset is not None for e in (-M, 0 * M, M)})
    for moment in moments[::3] + moments[1::7]:
        for inclusive in (False, True):
            want = {
                i.pk
                for i in items
                if i.due_offset is not None
                and (plan.at(i.due_offset) <= moment if inclusive else plan.at(i.due_offset) < moment)
            }
            got = set(
                Item.objects.filter(before_q(plan, "due_offset", moment, inclusive=inclusive)).values_list(
                    "pk", flat=True
                )
            )
            assert got == want, (moment, inclusive)
            after = set(
                Item.objects.filter(after_q(plan, "due_offset", moment, inclusive=not inclusive)).values_list(
                    "pk", flat=True
                )
            )
            assert after == {i.pk for i in items if i.due_offset is not None} - want


def test_before_q_is_one_range_unless_the_zone_changes_within_two_days(coordinator: User) -> None:
    """Away from a change of the zone's offset the condition is a single range on the offset (what the test
    above checks it against both sides of a change); within two days of one it keeps a cutoff a day."""
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="Europe/London")
    quiet, near = T0 - 5 * D, datetime(2026, 10, 25, 12, 0, tzinfo=UTC)  # London leaves BST on 25 Oct
    assert len(before_q(plan, "due_offset", quiet).children) == 1
    assert len(after_q(plan, "due_offset", quiet).children) == 1
    assert len(before_q(plan, "due_offset", near).children) > 1
    assert len(after_q(plan, "due_offset", near).children) > 1
