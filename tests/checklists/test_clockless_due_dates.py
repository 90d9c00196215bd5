"""Issue 10, clockless plans with due dates: an item of a plan with no T-0 may carry an absolute
``due_date`` (a date: due by the end of it; or a date and time) in the plan's zone. The importer checks it,
the exporter writes it back as written, the role page and the board show it and what is late by it, and
the reminders go out once each; the stored T-0 (the moment the plan was made) shows nowhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from checklists.models import Item, ItemStatus
from checklists.services import item_tick
from communications import outbox
from communications.compose import compose_report
from communications.ical import feed_create
from communications.models import Delivery
from launch.format import PlanFormatError
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus
from roles.models import Role
from tests import factories
from warroom import selectors as board
from warroom import views as board_views

pytestmark = pytest.mark.django_db

RUNBOOK = Path(__file__).resolve().parent.parent / "runbooks" / "launch-coordination.yaml"
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)
ARCH = "Request flow from user to front end to back end is documented"  # due_date: 2026-11-20 (by its end)
LOAD = "Expected traffic and growth rate, with a load test at twice the peak"  # due_date: 2026-11-27T17:00
SECURITY = "Security design review done"  # due_date: 2026-11-30
MADE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def _import(coordinator: User, tz: str = "Europe/London") -> tuple[Plan, str]:
    text = RUNBOOK.read_text().replace("timezone: UTC", f"timezone: {tz}")
    with time_machine.travel(MADE, tick=False):
        plan = import_plan_text(text, filename="c.yaml", t0=None, coordinator=coordinator)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SCHEDULED)  # the outbox works for a live plan
    plan.refresh_from_db()
    return plan, text


def _item(plan: Plan, title: str) -> Item:
    return Item.objects.get(plan=plan, title=title)


def test_due_dates_import_in_the_plan_zone_and_export_as_written(coordinator: User) -> None:
    plan, text = _import(coordinator)
    arch, load, security = (_item(plan, t) for t in (ARCH, LOAD, SECURITY))
    assert arch.due_all_day and arch.due_by == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # midnight after, GMT
    assert not load.due_all_day and load.due_by == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert security.due_at() == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert Item.objects.filter(plan=plan, due_by__isnull=True).count() == 9
    assert not Item.objects.filter(plan=plan, due_offset__isnull=False).exists()
    exported = export_plan(plan)
    assert _body(exported) == _body(text)
    assert "        due_date: 2026-11-20\n" in exported and "        due_date: 2026-11-27T17:00\n" in exported
    again = import_plan_text(exported, filename="c.yaml", t0=None)
    assert _body(export_plan(again)) == _body(text)


def test_a_due_date_in_summer_time_keeps_its_wall_clock_time(coordinator: User) -> None:
    text = RUNBOOK.read_text().replace("timezone: UTC", "timezone: Europe/London")
    text = text.replace("due_date: 2026-11-27T17:00", "due_date: 2026-10-23T17:00")
    text = text.replace("due_date: 2026-11-20", "due_date: 2026-10-24")
    plan = import_plan_text(text, filename="c.yaml", t0=None)
    assert _item(plan, LOAD).due_by == datetime(2026, 10, 23, 16, 0, tzinfo=UTC)  # 17:00 BST
    assert _item(plan, ARCH).due_by == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # midnight after 24 Oct, BST
    assert _body(export_plan(plan)) == _body(text)


def test_the_importer_names_the_line_of_a_bad_or_misplaced_due_date() -> None:
    text = RUNBOOK.read_text()
    for wrong, why in (
        ("2026-13-27", "month must be in 1..12"),  # YAML reads it as a date and refuses it
        ("2026-11-27T25:00", "due date '2026-11-27T25:00': hour must be in 0..23"),
        ("next Friday", "malformed due date 'next Friday': expected 2026-12-01 or 2026-12-01T17:00"),
        ("1999-12-31", "must lie between 2000-01-01 and 2099-12-31"),
    ):
        bad = text.replace("due_date: 2026-11-27T17:00", f"due_date: {wrong}")
        with pytest.raises(PlanFormatError) as exc:
            import_plan_text(bad, filename="c.yaml", t0=None)
        assert len(exc.value.lines()) == 1 and exc.value.lines()[0].startswith("c.yaml:48: "), wrong
        assert why in exc.value.lines()[0]
    clocked = (
        "format: 1\nname: Clocked\nroles:\n  - name: Ops\nchecklists:\n  - name: Prep\n    role: Ops\n"
        "    items:\n      - title: Order racks\n        due_date: 2026-12-01\n"
    )
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(clocked, filename="p.yaml", t0="2026-12-05T12:00", tz="UTC")
    assert exc.value.lines() == [
        "p.yaml:10: item 'Order racks': due_date is for a clockless plan; a plan with a T-0 uses due: T-7d"
    ]
    sub_offset = text.replace(
        "        due_date: 2026-11-30\n",
        "        due_date: 2026-11-30\n        items:\n          - title: Pen test\n            due: T-2d\n",
    )
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(sub_offset, filename="c.yaml", t0=None)
    assert exc.value.lines() == [
        "c.yaml:67: a clockless plan has no T-0: item 'Pen test' has no due offset (use due_date)"
    ]


def test_the_role_page_shows_due_dates_and_what_is_overdue_and_no_t0(client: Client, coordinator: User) -> None:
    plan, _ = _import(coordinator)
    owner = factories.UserFactory(username="owner")
    other = factories.UserFactory(username="other")
    sre = Role.objects.get(plan=plan, slug="sre")
    Role.objects.filter(pk=sre.pk).update(primary=owner)
    Role.objects.filter(plan=plan, slug="service-owner").update(primary=other)
    url = reverse("checklists:role", args=[plan.slug, "sre"])
    client.force_login(owner)
    with time_machine.travel(datetime(2026, 11, 27, 16, 50, tzinfo=UTC), tick=False):
        html = client.get(url).content.decode()
    load = _item(plan, LOAD)
    row = html[html.index(f'id="item-{load.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Fri 27 Nov 17:00 GMT" in row and "row-due_soon" in html[html.index(f'id="item-{load.pk}"') - 40 :]
    assert "no due time" not in html and not re.search(r"T-0 \w{3} \d", html) and "no T-0" in html
    with time_machine.travel(datetime(2026, 11, 27, 17, 1, tzinfo=UTC), tick=False):
        html = client.get(url).content.decode()
    assert f'class="row row-overdue" id="item-{load.pk}"' in html
    # Another role's holder may look but not tick.
    client.force_login(other)
    post = reverse("checklists:item_set", args=[plan.slug, "sre", load.pk])
    assert client.post(post, {"status": "done", "version": 0}).status_code == 403
    assert _item(plan, LOAD).status == ItemStatus.OPEN
    client.force_login(owner)
    assert client.post(post, {"status": "done", "version": 0}).status_code in (200, 302)
    assert _item(plan, LOAD).status == ItemStatus.DONE


def test_the_page_shows_a_whole_day_due_date_and_it_is_late_from_the_midnight_after(
    client: Client, coordinator: User
) -> None:
    plan, _ = _import(coordinator)
    client.force_login(coordinator)
    url = reverse("checklists:role", args=[plan.slug, "service-owner"])
    arch = _item(plan, ARCH)
    with time_machine.travel(datetime(2026, 11, 20, 23, 59, tzinfo=UTC), tick=False):
        html = client.get(url).content.decode()
    assert "by end of Fri 20 Nov" in html and f'class="row row-overdue" id="item-{arch.pk}"' not in html
    with time_machine.travel(datetime(2026, 11, 21, 0, 1, tzinfo=UTC), tick=False):
        html = client.get(url).content.decode()
    assert f'class="row row-overdue" id="item-{arch.pk}"' in html


def test_the_board_lists_late_items_first_with_their_due_dates(
    coordinator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    plan, _ = _import(coordinator)
    at = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the architecture and load-test answers are late
    with django_assert_num_queries(2):
        entries, late, total = board.open_entries(plan, at)
    assert (late, total) == (2, 12)
    assert [(e.title, e.late, e.label) for e in entries[:3]] == [
        (ARCH, True, "20 Nov"),
        (LOAD, True, "27 Nov 17:00"),
        (SECURITY, False, "30 Nov"),  # then the dated ones by due date, then the rest in checklist order
    ]
    assert entries[3].title == "Each dependency's request volume and failure behaviour are known"
    rows = {r.name: r.late for r in board.role_rows(plan, at)}
    assert rows["Service Owner"] == 1 and rows["SRE"] == 1 and rows["Security Reviewer"] == 0
    with time_machine.travel(at, tick=False):
        html = board_views.render_board(plan)
    assert "2 late" in html and "30 Nov" in html and "no T-0" in html and 'data-t0=""' in html
    report = compose_report(plan, now=at)
    assert "No T-0" in report and ARCH in report


def test_due_dated_items_are_reminded_once_each_and_undated_ones_never(coordinator: User) -> None:
    plan, _ = _import(coordinator)
    load, arch = _item(plan, LOAD), _item(plan, ARCH)
    holders = 1  # the roles of the imported plan have a primary set below, no backup
    for role in Role.objects.filter(plan=plan):
        Role.objects.filter(pk=role.pk).update(primary=factories.UserFactory())
    t = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
    while t <= datetime(2026, 11, 21, 2, 0, tzinfo=UTC):
        with time_machine.travel(t, tick=False):
            outbox.tick(now=t)
        t += 10 * M
    t = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    while t <= datetime(2026, 11, 27, 19, 0, tzinfo=UTC):
        with time_machine.travel(t, tick=False):
            outbox.tick(now=t)
        t += 10 * M
    reminders = Delivery.objects.filter(source_kind__startswith="item.")
    assert sorted(reminders.values_list("source_id", "source_kind")) == sorted(
        [(arch.pk, "item.due"), (arch.pk, "item.overdue"), (load.pk, "item.due"), (load.pk, "item.overdue")] * holders
    )
    due = reminders.get(source_id=load.pk, source_kind="item.due")
    assert due.due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC) - plan.reminder_lead
    assert "Fri 27 Nov 17:00 GMT" in due.subject
    late = reminders.get(source_id=arch.pk, source_kind="item.overdue")
    assert late.due_at > datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert "was due by the end of Fri 20 Nov" in late.subject
    # Ticked before its time, the security review is never reminded.
    security = _item(plan, SECURITY)
    owner = security.owner_role
    assert owner is not None and owner.primary is not None
    item_tick(security, by=owner.primary)
    t = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    while t <= datetime(2026, 12, 1, 1, 0, tzinfo=UTC):
        with time_machine.travel(t, tick=False):
            outbox.tick(now=t)
        t += 20 * M
    assert not Delivery.objects.filter(source_id=security.pk, source_kind__startswith="item.").exists()


def test_the_calendar_has_an_all_day_event_on_the_due_date(client: Client, coordinator: User) -> None:
    plan, _ = _import(coordinator)
    sre = Role.objects.get(plan=plan, slug="sre")
    _, token = feed_create(sre, by=coordinator)
    body = client.get(reverse("communications:ical", args=[plan.slug, token])).content.decode()
    assert "DTSTART:20261127T170000Z" in body
    owner = Role.objects.get(plan=plan, slug="service-owner")
    _, token = feed_create(owner, by=coordinator)
    body = client.get(reverse("communications:ical", args=[plan.slug, token])).content.decode()
    assert "DTSTART;VALUE=DATE:20261120" in body and "DTEND;VALUE=DATE:20261121" in body
    assert body.count("BEGIN:VEVENT") == 1  # the undated items are not in the calendar
