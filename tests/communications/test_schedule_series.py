"""The communications page's "Scheduled" list folds a repeating send (a recurring check's reminders, an hourly
message) under its first send: one row per series, person and channel, its later sends in a fold, and the
count in the header counts every send. A one-off message after hundreds of repeating sends is still listed
(the list used to stop at its first 200 sends, all of them a 5-minute check's reminders)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from communications.selectors import SCHEDULE_LIMIT, upcoming

from ..issue16.helpers import T0, H, M, make_plan

pytestmark = pytest.mark.django_db

PLAN = """\
format: 1
name: Launch watch
timezone: Europe/London
roles:
  - name: SRE
    slug: sre
    primary: alice
    backup: quinn
checklists:
  - name: Launch watch
    role: SRE
    items:
      - title: Error rate check
        repeat:
          every: 5m
          from: T+0
          until: T+2d
channels:
  - {name: Staff email, kind: email, target: staff@example.com}
messages:
  - {name: Hourly update, kind: status_update, channels: [Staff email], at: T+0, every: 1h, count: 4}
  - {name: Thank you all, kind: status_update, channels: [Staff email], at: T+3d}
"""


def _page(at: timedelta) -> str:
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    with time_machine.travel(T0 + at, tick=False):
        return client.get(reverse("communications:page", args=["launch-watch"])).content.decode()


def _rows(html: str) -> list[str]:
    table = html.split('id="scheduled"', 1)[1].split("</section>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split('<tr class="scheduled">')[1:]
    ]


def test_a_repeating_send_is_one_row_with_its_later_sends_folded_under_it() -> None:
    plan = make_plan(PLAN)
    with time_machine.travel(T0 - 30 * M, tick=False):
        schedule = upcoming(plan, now=T0 - 30 * M, rows=[])
    firsts = [(s.spec.source_kind, s.spec.recipient_label, len(s.later)) for s in schedule.rows]
    # The check's 577 occurrences (every 5 minutes for two days) are past the sources' limit of 200 sends
    # a series: its reminders are listed once per person, with the later ones folded
    reminders = [f for f in firsts if f[0] == "occurrence.due"]
    assert len(reminders) == 2 and {f[2] for f in reminders} == {SCHEDULE_LIMIT - 1}
    hourly = [s for s in schedule.rows if s.spec.label.startswith("Hourly update")]
    assert len(hourly) == 1 and hourly[0].later == [T0 + H, T0 + 2 * H, T0 + 3 * H]
    assert any(s.spec.label.startswith("Thank you all") for s in schedule.rows)
    assert schedule.sends == sum(1 + len(s.later) for s in schedule.rows) and schedule.more

    html = _page(-30 * M)
    rows = _rows(html)
    assert len(rows) == len(schedule.rows) < 12
    hourly_row = next(r for r in rows if r.startswith("Sat 5 Dec 12:00 Hourly update"))
    assert "then 3 more until Sat 5 Dec 15:00" in hourly_row and "Sat 5 Dec 13:00 · Sat 5 Dec 14:00" in hourly_row
    assert any("Thank you all" in r and r.startswith("Tue 8 Dec 12:00") for r in rows)
    assert re.search(rf'id="scheduled-count">{schedule.sends}\+ scheduled<', html)
    assert "a repeating send is listed once" in html


def test_each_person_of_a_series_has_their_own_row() -> None:
    plan = make_plan(PLAN)
    with time_machine.travel(T0 + H, tick=False):
        schedule = upcoming(plan, now=T0 + H, rows=[])
    check = [s for s in schedule.rows if s.spec.source_kind.startswith("occurrence.")]
    kinds_and_people = sorted((s.spec.source_kind, s.spec.recipient_label) for s in check)
    # (an occurrence's overdue notice is not scheduled: it goes only if the occurrence is not ticked)
    assert kinds_and_people == [
        ("occurrence.due", "Alice Doe (SRE, primary)"),
        ("occurrence.due", "Quinn Doe (SRE, backup)"),
    ]
    assert len({s.series_id for s in check}) == 2  # the page's fold ids, kept across its live swaps


def test_without_repeating_sends_the_count_is_exact() -> None:
    plan = make_plan(PLAN.replace(PLAN[PLAN.index("checklists:") : PLAN.index("channels:")], ""))
    with time_machine.travel(T0 - 30 * M, tick=False):
        schedule = upcoming(plan, now=T0 - 30 * M, rows=[])
    assert (schedule.sends, schedule.more) == (5, False)
    assert re.search(r'id="scheduled-count">5 scheduled<', _page(-30 * M))


def test_late_sends_of_one_series_are_one_line_under_needs_attention() -> None:
    """Six hourly updates that went late while the worker was down are one line under "Late, not sent" (the
    newest, with Send now), the five before it folded under it; a late one-off stays its own line."""
    from communications.models import Channel, DeliveryStatus, Message
    from tests import factories

    plan = make_plan(PLAN)
    staff = Channel.objects.get(plan=plan, name="Staff email")
    hourly = Message.objects.get(plan=plan, name="Hourly update")
    thanks = Message.objects.get(plan=plan, name="Thank you all")
    late = {"plan": plan, "channel": staff, "source_kind": "message", "status": DeliveryStatus.LATE}
    for k in range(6):
        factories.DeliveryFactory(**late, source_id=hourly.pk, due_at=T0 + k * H, label="Hourly update")
    factories.DeliveryFactory(**late, source_id=thanks.pk, due_at=T0 + 30 * M, label="Thank you all")
    html = _page(7 * H)
    attention = html.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert attention.count('class="delivery state-row-late"') == 2
    assert '<span class="badge state-late">7 late</span>' in html  # the count counts every late send
    assert attention.count("Hourly update") == 1 and "Thank you all" in attention
    folded = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", attention.split('<details class="series"', 1)[1]))
    assert "and 5 earlier of this series, not sent either" in folded
    assert "Sat 5 Dec 12:00 · Sat 5 Dec 13:00" not in folded  # newest first
    assert "Sat 5 Dec 16:00 · Sat 5 Dec 15:00 · Sat 5 Dec 14:00 · Sat 5 Dec 13:00 · Sat 5 Dec 12:00" in folded


def test_the_coordinator_leaves_a_late_series_unsent_in_one_go() -> None:
    """ "Leave all 6 unsent" skips the late sends of the series (one event), and "Needs attention" is clear; a
    second click (or a send that went out meanwhile) is refused and changes nothing; others get 403."""
    from communications.models import Channel, Delivery, DeliveryStatus, Message
    from plans.models import Event
    from tests import factories

    plan = make_plan(PLAN)
    coordinator = factories.UserFactory(username="cleo")
    plan.coordinator = coordinator
    plan.save()  # fixture set-up
    staff = Channel.objects.get(plan=plan, name="Staff email")
    hourly = Message.objects.get(plan=plan, name="Hourly update")
    late = {"plan": plan, "channel": staff, "source_kind": "message", "status": DeliveryStatus.LATE}
    rows = [
        factories.DeliveryFactory(**late, source_id=hourly.pk, due_at=T0 + k * H, label="Hourly update")
        for k in range(6)
    ]
    sent = factories.DeliveryFactory(
        plan=plan, channel=staff, source_id=hourly.pk, due_at=T0 + 6 * H, status=DeliveryStatus.SENT
    )
    client = Client()
    client.force_login(coordinator)
    with time_machine.travel(T0 + 7 * H, tick=False):
        page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
        assert "Leave all 6 unsent" in page
        dismiss = reverse("communications:dismiss", args=[plan.slug])
        ids = [r.pk for r in rows] + [sent.pk]
        client.force_login(User.objects.get(username="alice"))  # the SRE: not the coordinator
        assert client.post(dismiss, {"delivery": ids}).status_code == 403
        client.force_login(coordinator)
        page = client.post(dismiss, {"delivery": ids}, follow=True).content.decode()
        assert "Left unsent: 6 late sends." in page and 'id="attention"' not in page
    assert Delivery.objects.filter(pk__in=[r.pk for r in rows], status=DeliveryStatus.SKIPPED).count() == 6
    assert Delivery.objects.get(pk=sent.pk).status == DeliveryStatus.SENT
    (event,) = Event.objects.filter(plan=plan, kind="comms.skipped")
    assert event.summary == "Left unsent (late): Hourly update → Staff email and 5 more of its series"
    with time_machine.travel(T0 + 7 * H, tick=False):
        page = client.post(dismiss, {"delivery": ids}, follow=True).content.decode()
    assert "Nothing to dismiss" in page and Event.objects.filter(kind="comms.skipped").count() == 1
