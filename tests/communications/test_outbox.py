"""Time travel across whole plans: every reminder and message is created once, at its time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail

from checklists.models import GateStatus, Item, ItemStatus
from communications import outbox
from communications.models import (
    Audience,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Message,
    MessageKind,
    StatusPost,
)
from communications.services import message_approve
from plans.models import MetricReading, Plan, PlanStatus, Step, StepStatus
from plans.services import hold_end, hold_start, plan_rebaseline
from tests import factories
from tests.beats import run_due, tick_at

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from django.contrib.auth.models import User

    from communications.sources import DeliverySpec


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def run(start: datetime, end: datetime, step: timedelta) -> int:
    ticks, t = 0, start
    while t <= end:
        tick_at(t)
        ticks += 1
        t += step
    return ticks


def make_plan(coordinator: User, *, t0: datetime = T0, tz: str = "Europe/London", at: datetime | None = None) -> Plan:
    with time_machine.travel(at or t0 - 10 * D, tick=False):
        return factories.PlanFactory(coordinator=coordinator, t0=t0, timezone=tz)


def channel(plan: Plan, kind: str, name: str, target: str = "") -> Channel:
    return Channel.objects.create(plan=plan, name=name, kind=kind, target=target)


def message(plan: Plan, name: str, offset: timedelta, channels: Iterable[Channel], **kw: Any) -> Message:
    m = Message.objects.create(plan=plan, name=name, offset=offset, **kw)
    m.channels.set(channels)
    return m


def test_whole_plan_each_reminder_and_message_once_at_its_time(coordinator: User) -> None:
    plan = make_plan(coordinator)
    dba = factories.RoleFactory(plan=plan, name="DBA", backup=factories.UserFactory())
    qa = factories.RoleFactory(plan=plan, name="QA")
    cl = factories.ChecklistFactory(plan=plan, role=dba)
    i1 = factories.ItemFactory(checklist=cl, title="Freeze schema", due_offset=-D)
    i2 = factories.ItemFactory(checklist=cl, owner_role=qa, title="Smoke test", due_offset=-2 * H)
    i3 = factories.ItemFactory(checklist=cl, title="Verify backups", due_offset=H)
    step = factories.StepFactory(plan=plan, lead_role=dba, offset=-30 * M, duration=30 * M)
    staff = channel(plan, ChannelKind.EMAIL, "Staff list", "staff@example.com, execs@example.com")
    page = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    bridge = channel(plan, ChannelKind.CHAT, "War-room bridge")
    message(
        plan,
        "Launch announcement",
        -7 * D,
        [staff, page],
        audience=Audience.USERS,
        body="We launch {{ t0|date('j M H:i') }}.",
    )
    message(plan, "T-1d reminder", -D, [staff, bridge])
    message(
        plan,
        "Hourly update",
        timedelta(0),
        [staff, page],
        kind=MessageKind.STATUS_UPDATE,
        every=H,
        count=4,
        audience=Audience.PUBLIC,
    )
    message(plan, "Daily update", D, [staff], kind=MessageKind.STATUS_UPDATE, every=D, count=7)
    message(plan, "Weekly update", 7 * D, [staff], kind=MessageKind.STATUS_UPDATE, every=7 * D, count=4)

    # QA does its item early; the step is done before it would be overdue.
    with time_machine.travel(T0 - 3 * H, tick=False):
        Item.objects.filter(pk=i2.pk).update(status=ItemStatus.DONE)
    # The beat around every due moment (tests/beats.py): just before it, at it, just after it and late in the
    # 24 h lookback that still holds it (each row is seen again and again and made once).
    run_due(plan, T0 - 8 * D, T0 - 10 * M)
    with time_machine.travel(T0 - 6 * M, tick=False):
        Step.objects.filter(pk=step.pk).update(status=StepStatus.DONE)
    run_due(plan, T0 - 5 * M, T0 + 30 * D)
    # Run a second beat over the same time again: nothing new.
    before = Delivery.objects.count()
    run_due(plan, T0 - 5 * M, T0 + 2 * H)
    assert Delivery.objects.count() == before

    rows = list(Delivery.objects.filter(plan=plan))
    kinds = Counter((d.source_kind, d.source_id) for d in rows)
    assert kinds[("item.due", i1.pk)] == 2  # primary and backup
    assert kinds[("item.overdue", i1.pk)] == 2
    assert kinds[("item.due", i3.pk)] == 2 and kinds[("item.overdue", i3.pk)] == 2
    assert ("item.due", i2.pk) not in kinds and ("item.overdue", i2.pk) not in kinds
    assert kinds[("step.due", step.pk)] == 2 and ("step.overdue", step.pk) not in kinds
    by_name = Counter(Message.objects.get(pk=d.source_id).name for d in rows if d.source_kind == "message")
    assert by_name == {
        "Launch announcement": 2,
        "T-1d reminder": 2,  # the email, and the named-only bridge shown as skipped
        "Hourly update": 8,
        "Daily update": 7,
        "Weekly update": 4,
    }
    for d in rows:  # each one created at its time (within one tick), never early
        assert d.due_at <= d.created_at < d.due_at + H, d
        assert (d.status == DeliveryStatus.SENT) != (d.channel_kind == ChannelKind.CHAT), d
    reminder = Delivery.objects.get(source_kind="item.due", source_id=i1.pk, recipient=f"user:{dba.primary_id}")
    assert reminder.due_at == T0 - D - 15 * M
    assert dba.primary is not None and reminder.address == dba.primary.email
    skipped = Delivery.objects.get(channel_kind=ChannelKind.CHAT)
    assert "named-only" in skipped.note
    assert StatusPost.objects.filter(plan=plan).count() == 1 + 4
    announce = next(m for m in mail.outbox if "Launch announcement" in m.subject)
    assert announce.body == "We launch 1 Dec 12:00."
    assert announce.to == ["staff@example.com", "execs@example.com"]
    assert len(mail.outbox) == sum(1 for d in rows if d.channel_kind == ChannelKind.EMAIL and d.status == "sent")


def test_hold_shifts_what_is_not_sent_yet(coordinator: User) -> None:
    plan = make_plan(coordinator)
    role = factories.RoleFactory(plan=plan)
    early = factories.ItemFactory(checklist__plan=plan, checklist__role=role, due_offset=-3 * H)
    late = factories.ItemFactory(checklist__plan=plan, checklist__role=role, due_offset=-H)
    page = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    message(plan, "Go time", -30 * M, [page], audience=Audience.PUBLIC, body="Going.")

    run_due(plan, T0 - 4 * H, T0 - 2 * H - M)
    with time_machine.travel(T0 - 2 * H, tick=False):
        hold_start(plan, by=coordinator, reason="Payment provider down")
    run_due(plan, T0 - 2 * H, T0 - 90 * M)  # during the hold: nothing after its start is created
    assert not Delivery.objects.filter(source_id=late.pk, source_kind="item.due").exists()
    with time_machine.travel(T0 - 90 * M, tick=False):
        hold_end(plan, by=coordinator)
    plan.refresh_from_db()
    assert plan.t0 == T0 + 30 * M
    run_due(plan, T0 - 90 * M, T0 + 2 * H)  # the moments as the slip moved them

    moved = Delivery.objects.get(source_kind="item.due", source_id=late.pk)
    assert moved.due_at == T0 + 30 * M - H - 15 * M  # the slipped due moment, once
    assert moved.status == DeliveryStatus.SENT
    assert Delivery.objects.filter(source_kind="item.due", source_id=early.pk).get().due_at == T0 - 3 * H - 15 * M
    go = Delivery.objects.get(source_kind="message")
    assert go.due_at == T0  # T-30m after the 30-minute slip
    assert Delivery.objects.filter(source_kind="item.overdue", source_id=late.pk).count() == 1


def test_rebaseline_discards_unsent_rows_and_recreates_them_at_the_new_time(coordinator: User) -> None:
    plan = make_plan(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)
    with time_machine.travel(T0 - 20 * M, tick=False):
        assert outbox.materialise(now=T0 - 20 * M) == 1
        pending = Delivery.objects.get()
        assert pending.status == DeliveryStatus.PENDING
        plan_rebaseline(plan, new_t0=T0 + H, by=coordinator, reason="vendor delay")
    assert not Delivery.objects.exists()  # re-derived, not sent at the old time
    run(T0 - 20 * M, T0 + H, 5 * M)
    row = Delivery.objects.get(source_kind="item.due", source_id=item.pk)
    assert row.due_at == T0 + H - 25 * M and row.status == DeliveryStatus.SENT


def test_hourly_updates_across_dst_end_neither_skip_nor_double(coordinator: User) -> None:
    # Europe/London falls back at 02:00 BST = 01:00 UTC on Sunday 25 October 2026.
    t0 = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 23:00 BST
    plan = make_plan(coordinator, t0=t0)
    hook = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    message(
        plan, "Hourly", timedelta(0), [hook], kind=MessageKind.STATUS_UPDATE, every=H, count=6, audience=Audience.PUBLIC
    )
    run_due(plan, t0 - H, t0 + 7 * H)
    times = list(Delivery.objects.order_by("due_at").values_list("due_at", flat=True))
    assert len(times) == 6
    assert all(b - a == H for a, b in zip(times, times[1:], strict=False))
    local = [plan.local(t).strftime("%H:%M %Z") for t in times]
    assert local == ["23:00 BST", "00:00 BST", "01:00 BST", "01:00 GMT", "02:00 GMT", "03:00 GMT"]


def test_daily_updates_keep_their_local_time_across_dst_start(coordinator: User) -> None:
    # America/New_York springs forward on 8 March 2026; a daily 09:00 update stays at 09:00 local.
    t0 = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)  # 09:00 EST
    plan = make_plan(coordinator, t0=t0, tz="America/New_York")
    page = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    message(
        plan, "Daily", timedelta(0), [page], kind=MessageKind.STATUS_UPDATE, every=D, count=4, audience=Audience.PUBLIC
    )
    run_due(plan, t0 - H, t0 + 4 * D)
    local = [
        plan.local(t).strftime("%d %H:%M") for t in Delivery.objects.order_by("due_at").values_list("due_at", flat=True)
    ]
    assert local == ["06 09:00", "07 09:00", "08 09:00", "09 09:00"]


def test_hourly_update_text_is_built_from_the_live_state(coordinator: User) -> None:
    plan = make_plan(coordinator)
    launch = factories.PhaseFactory(plan=plan, name="Launch day")
    dba = factories.RoleFactory(plan=plan, name="DBA")
    cl = factories.ChecklistFactory(plan=plan, role=dba, phase=launch)
    factories.ItemFactory(checklist=cl, title="Backups verified", status=ItemStatus.DONE, due_offset=-3 * H)
    factories.ItemFactory(checklist=cl, title="Replica lag checked", due_offset=-2 * H)
    factories.ItemFactory(checklist=cl, title="Indexes rebuilt", due_offset=5 * H)
    factories.GateFactory(plan=plan, name="Go/No-Go", status=GateStatus.PASSED)
    factories.GateFactory(plan=plan, name="Launch authorization")
    factories.IssueFactory(plan=plan, severity="critical", title="Checkout 500s")
    factories.IssueFactory(plan=plan, severity="medium")
    metric = factories.MetricFactory(plan=plan, name="Error rate", target=0.1, unit="%")
    with time_machine.travel(T0 - M, tick=False):
        MetricReading.objects.create(metric=metric, value=0.5)
    internal = channel(plan, ChannelKind.EMAIL, "Staff", "staff@example.com")
    page = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    message(plan, "Hourly staff", timedelta(0), [internal], kind=MessageKind.STATUS_UPDATE, every=H, count=2)
    message(
        plan,
        "Hourly public",
        timedelta(0),
        [page],
        kind=MessageKind.STATUS_UPDATE,
        every=H,
        count=2,
        audience=Audience.PUBLIC,
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)

    tick_at(T0)
    staff = Delivery.objects.get(channel_kind=ChannelKind.EMAIL, source_kind="message")
    assert "Launch state: Launched." in staff.body
    assert "Progress: 1/3 items done (33%)." in staff.body
    assert "- Launch day: 1/3" in staff.body
    assert "- DBA: 1/3" in staff.body
    assert "Gates passed: 1/2 (Go/No-Go)." in staff.body
    assert "Open issues: 1 critical, 0 high, 1 medium, 0 low." in staff.body
    assert "- Error rate: 0.5 % (target < 0.1 %, OFF TARGET)" in staff.body
    assert "- Replica lag checked (DBA)" in staff.body
    public = StatusPost.objects.get()
    assert "DBA" not in public.body and "Replica lag" not in public.body
    # The public post is customer copy: the state, what users notice, the next update; no internal report.
    assert "Behind schedule" not in public.body and "Progress" not in public.body and "/" not in public.title
    assert "is live since" in public.body
    assert "while we fix a known problem" in public.body
    assert "Next update: Tuesday 1 December 2026 at 13:00 GMT." in public.body

    # The next hour's update reflects what changed in between.
    Item.objects.filter(title="Replica lag checked").update(status=ItemStatus.DONE)
    tick_at(T0 + H)
    second = Delivery.objects.filter(channel_kind=ChannelKind.EMAIL, source_kind="message").order_by("due_at").last()
    assert second is not None
    assert "Progress: 2/3 items done (67%)." in second.body and "Nothing is late." in second.body


def test_message_needing_approval_waits_for_the_coordinator(coordinator: User) -> None:
    plan = make_plan(coordinator)
    page = channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    m = message(plan, "Press release", -H, [page], audience=Audience.PUBLIC, requires_approval=True, body="Live!")
    tick_at(T0 - H)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.AWAITING_APPROVAL
    tick_at(T0 - 50 * M)
    assert not StatusPost.objects.exists()
    with time_machine.travel(T0 - 45 * M, tick=False):
        message_approve(m, by=coordinator)
    tick_at(T0 - 45 * M)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert StatusPost.objects.get().body == "Live!"


def test_what_comes_too_late_is_marked_late_not_dropped(coordinator: User) -> None:
    plan = make_plan(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, due_offset=-H)
    tick_at(T0 - 2 * H)
    tick_at(T0 - 30 * M)  # the beat was down for 90 minutes: the T-minus reminder no longer matters
    due = Delivery.objects.get(source_kind="item.due", source_id=item.pk)
    assert due.status == DeliveryStatus.LATE
    assert "too late" in due.note
    overdue = Delivery.objects.get(source_kind="item.overdue", source_id=item.pk)
    assert overdue.status == DeliveryStatus.SENT


def test_reminder_for_an_item_done_meanwhile_is_skipped_with_the_reason(coordinator: User) -> None:
    plan = make_plan(coordinator)
    item = factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)
    outbox.materialise(now=T0 - 20 * M)
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    tick_at(T0 - 20 * M)
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SKIPPED
    assert row.note == "Not sent: the item is already done."


def test_a_claim_whose_send_never_began_is_handed_out_again_within_half_a_minute(coordinator: User) -> None:
    plan = make_plan(coordinator)
    factories.ItemFactory(checklist__plan=plan, due_offset=-10 * M)
    now = T0 - 25 * M
    with time_machine.travel(now, tick=False):
        outbox.materialise(now=now)
        ids, token = outbox.claim(now=now)  # its task was lost with the broker
    assert len(ids) == 1
    tick_at(now + timedelta(seconds=20))
    assert Delivery.objects.get().status == DeliveryStatus.SENDING
    tick_at(now + timedelta(seconds=45))  # past OUTBOX_UNSTARTED_RECLAIM_SECONDS: safe, it never began
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.SENT and len(mail.outbox) == 1 and row.unknown_attempts == 0
    with time_machine.travel(now + 4 * M, tick=False):
        assert outbox.send_claimed(ids[0], token) == "stale"  # the old claim cannot send it again
    assert len(mail.outbox) == 1


def test_custom_source_can_register(coordinator: User) -> None:
    from communications.sources import _SOURCES, DeliverySpec, register_source

    plan = make_plan(coordinator)

    def escalation(p: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
        at = T0 - H
        if p.pk == plan.pk and start < at <= end:
            yield DeliverySpec(
                source_kind="custom.escalation",
                source_id=7,
                recipient="user:1",
                channel_kind="email",
                due_at=at,
                address="lead@example.com",
                label="Escalation L2",
                render=lambda: ("Escalated", "Issue #7 reached L2"),
            )

    register_source(escalation)
    try:
        tick_at(T0 - H)
        tick_at(T0 - H + M)
    finally:
        _SOURCES.remove(escalation)
    row = Delivery.objects.get(source_kind="custom.escalation")
    assert row.status == DeliveryStatus.SENT
    assert mail.outbox[0].subject == "Escalated"
