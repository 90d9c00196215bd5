"""Issue 11, findings 1, 2, 3, 5, 6: one meaning of late, numbers as people write them, customer copy for
external audiences, subjects that do not repeat the plan name, offsets shown and exported as planned."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from checklists.models import Item
from checklists.selectors import item_row, step_row
from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, Message, MessageKind, StatusPost
from launch.format.exporter import export_plan
from plans.lateness import is_late, step_is_late
from plans.models import Plan, PlanStatus, Step
from plans.numbers import format_number, format_quantity
from plans.services import hold_end, hold_start
from plans.slips import planned_label, planned_offset, slipped_by
from tests import factories
from warroom import selectors as board

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, M, S = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)


def _plan(coordinator: User, **kw: object) -> Plan:
    with time_machine.travel(T0 - timedelta(days=10), tick=False):
        return factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", **kw)


# --- 1. One meaning of late ----------------------------------------------------------------------------


def test_late_from_the_due_time_on_board_role_page_and_reminders(coordinator: User) -> None:
    plan = _plan(coordinator, reminder_lead=15 * M, status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan, name="Product Manager")
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role, owner_role=role, due_offset=-2 * H)
    due = T0 - 2 * H
    # Before the due time: due soon on the role page (the reminder lead), not late anywhere.
    at = due - 5 * M
    assert item_row(plan, item, now=at, can_act=True).state == "due_soon"
    assert [r.late for r in board.role_rows(plan, at) if r.name == role.name] == [0]
    # Five minutes after the due time: late on the board AND overdue on the role page (not "Due" until +15 min).
    at = due + 5 * M
    row = item_row(plan, item, now=at, can_act=True)
    assert row.state == "overdue" and row.state_label == "Late"  # the board's word: "LATE", not "Overdue"
    assert [r.late for r in board.role_rows(plan, at) if r.name == role.name] == [1]
    _, late_total, _ = board.next_entries(plan, at)
    assert late_total == 1
    # ... and the overdue reminder has gone out by then (late from the due time, plus the small grace).
    with time_machine.travel(at, tick=False):
        outbox.tick(now=at)
    overdue = Delivery.objects.filter(source_kind="item.overdue", source_id=item.pk)
    assert overdue.exists() and all(d.due_at <= at for d in overdue)


def test_a_pending_step_is_late_from_its_start_everywhere(coordinator: User) -> None:
    plan = _plan(coordinator, status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan)
    step = factories.StepFactory(plan=plan, lead_role=role, offset=-H, duration=30 * M)
    at = T0 - H + M
    assert step_is_late(plan=plan, offset=step.offset, duration=step.duration, status=step.status, now=at)
    assert step_row(plan, step, now=at, can_act=True).state == "overdue"
    assert step_row(plan, step, now=at, can_act=True).late
    entries, late_total, _ = board.next_entries(plan, at)
    assert late_total == 1 and entries[0].late
    with time_machine.travel(at + 5 * M, tick=False):
        outbox.tick(now=at + 5 * M)
    late = Delivery.objects.get(source_kind="step.late_start", source_id=step.pk, recipient=f"user:{role.primary_id}")
    assert "should have started" in late.subject
    assert f"/roles/{role.slug}/#step-{step.pk}" in late.body  # a deep link to the row, not the plan
    # Exactly at the due moment it is not late yet; a moment after, it is.
    assert not is_late(T0, T0) and is_late(T0 + S, T0)


# --- 2. Numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("4.1E+2"), "ms", "410 ms"),
        (Decimal("5E+2"), "ms", "500 ms"),
        (Decimal("1E+3"), "users", "1,000 users"),
        (Decimal("99.9"), "%", "99.9 %"),
        (Decimal("0.10"), "%", "0.1 %"),
        (Decimal("12500.50"), "", "12,500.5"),
        (0.1, "s", "0.1 s"),
        (Decimal(34) / 15, "s", "2.2667 s"),  # a mean: at most four decimals, as readings are kept
        (Decimal("0.00005"), "%", "0.0001 %"),
        (Decimal("1234.56785"), "ms", "1,234.5679 ms"),
    ],
)
def test_numbers_are_written_as_people_write_them(value: object, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text
    assert "E" not in format_number(value)


def test_metric_numbers_on_the_status_report_board_and_metrics_page(coordinator: User, client: object) -> None:
    plan = _plan(coordinator, status=PlanStatus.LAUNCHED)
    metric = factories.MetricFactory(plan=plan, name="p95 latency", unit="ms", comparator="<", target=Decimal("5E+2"))
    metric.readings.create(value=Decimal("4.1E+2"), recorded_at=T0)
    with time_machine.travel(T0 + M, tick=False):
        html = board.board(plan)
        client.force_login(coordinator)  # type: ignore[attr-defined]
        page = client.get(f"/plans/{plan.slug}/metrics/").content.decode()  # type: ignore[attr-defined]
    assert "410 ms" in page and "&lt; 500 ms" in page and "E+" not in page
    assert html is not None


# --- 3 and 5. Customer copy; subjects -------------------------------------------------------------------


def _channel(plan: Plan, kind: str, name: str, target: str = "") -> Channel:
    return Channel.objects.create(plan=plan, name=name, kind=kind, target=target)


def test_public_status_post_is_customer_copy_not_the_internal_report(coordinator: User) -> None:
    plan = _plan(coordinator, name="HeyPeter (demo)", status=PlanStatus.COUNTDOWN)
    factories.ItemFactory(checklist__plan=plan, due_offset=-5 * H)  # late: never told to the public
    page = _channel(plan, ChannelKind.STATUS_PAGE, "Status page")
    m = Message.objects.create(
        plan=plan, name="Progress updates (hourly)", offset=-6 * H, every=H, count=7,
        kind=MessageKind.STATUS_UPDATE, audience=Audience.USERS, body="Progress updates (hourly)",
    )  # fmt: skip
    m.channels.set([page])
    with time_machine.travel(T0 - 6 * H, tick=False):
        outbox.tick(now=T0 - 6 * H)
    post = StatusPost.objects.get(plan=plan)
    assert post.title == "HeyPeter (demo): scheduled for Tuesday 1 December 2026 at 12:00 UTC"
    assert "(1/7)" not in post.title and "[HeyPeter" not in post.title
    for internal in ("Behind schedule", "Progress", "By phase", "Progress updates (hourly)", "Late"):
        assert internal not in post.body
    assert "scheduled to go live on Tuesday 1 December 2026 at 12:00 UTC" in post.body
    assert "What you will notice: nothing changes for you yet." in post.body
    assert "Next update: Tuesday 1 December 2026 at 07:00 UTC." in post.body


def test_external_email_is_not_the_planning_note_and_subject_names_the_plan_once(coordinator: User) -> None:
    plan = _plan(coordinator, name="HeyPeter (demo)", status=PlanStatus.SCHEDULED)
    email = _channel(plan, ChannelKind.EMAIL, "User email", "users@example.com")
    m = Message.objects.create(
        plan=plan, name="Upcoming launch email", offset=-7 * 24 * H, audience=Audience.USERS,
        subject="{{ plan.name }} is coming", body="Email to all users about upcoming launch",
    )  # fmt: skip
    m.channels.set([email])
    at = T0 - 7 * 24 * H
    with time_machine.travel(at, tick=False):
        outbox.tick(now=at)
    row = Delivery.objects.get(source_kind="message", source_id=m.pk)
    assert row.subject == "HeyPeter (demo) is coming"
    assert "Email to all users" not in row.body
    assert "HeyPeter (demo) is scheduled to go live on Tuesday 1 December 2026 at 12:00 UTC." in row.body


# --- 6. Holds leave no seconds behind ------------------------------------------------------------------


def test_offsets_read_and_export_as_planned_after_a_hold(coordinator: User, client: object) -> None:
    plan = _plan(coordinator, status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan, slug="pm")
    early = factories.ItemFactory(checklist__plan=plan, checklist__role=role, owner_role=role, due_offset=-3 * H)
    later = factories.StepFactory(plan=plan, lead_role=role, offset=-H, name="Switch DNS")
    week = factories.StepFactory(plan=plan, lead_role=role, offset=-7 * 24 * H, name="Freeze")
    start = T0 - 2 * H
    with time_machine.travel(start, tick=False):
        hold_start(plan, by=coordinator, reason="Checking a backup")
    with time_machine.travel(start + 59 * S, tick=False):
        hold_end(plan, by=coordinator)
    plan.refresh_from_db()
    early.refresh_from_db()
    week.refresh_from_db()
    assert early.due_offset == -3 * H - 59 * S  # pinned where it was: the stored offset moved
    assert planned_offset(plan, early.due_offset) == -3 * H
    assert planned_label(plan, week.offset) == "T-7d"
    assert planned_offset(plan, Step.objects.get(pk=later.pk).offset) == -H  # slipped with T-0: unchanged
    assert slipped_by(plan) == 59 * S
    client.force_login(coordinator)  # type: ignore[attr-defined]
    for url in (f"/plans/{plan.slug}/", f"/plans/{plan.slug}/roles/pm/", f"/plans/{plan.slug}/timeline/"):
        html = client.get(url).content.decode()  # type: ignore[attr-defined]
        assert not re.search(r"T[-+][0-9dhm]*59s", html), url
        if url.endswith(f"/{plan.slug}/"):
            assert "slipped 59s" in html and "T-0 slipped by <strong>59s</strong>" in html  # its own figure
    yaml_text = export_plan(plan)
    assert "59s" not in yaml_text and "T-7d" in yaml_text and "T-3h" in yaml_text
    assert Item.objects.filter(pk=early.pk).exists()
