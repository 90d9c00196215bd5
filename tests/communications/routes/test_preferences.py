"""Per-person choices: paging only for critical, a chat route off, quiet hours for all but critical, and an
email route that writes to each person who wants it. A refused notice is kept as skipped, with who and why."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail

from communications.models import Delivery, DeliveryStatus, Route, RoutePreference
from issues.services import issue_open
from tests.beats import tick_at

from .conftest import NOW, M, S, Setup, posted

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def _open(setup: Setup, by: User, severity: str, title: str) -> None:
    with time_machine.travel(NOW, tick=False):
        issue_open(setup.plan, by=by, title=title, severity=severity, description="", owner_role=setup.tech)


def test_paging_only_for_critical(routed: Setup, coordinator: User) -> None:
    tech = routed.tech.primary
    assert tech is not None
    routed.pager.severity = "high"  # the route pages from high up; the on-call person wants critical only
    routed.pager.save()
    RoutePreference.objects.create(route=routed.pager, user=tech, severity="critical")
    _open(routed, coordinator, "high", "Slow search")
    tick_at(NOW + 5 * S)
    assert posted(routed.sink, "/ok/pd") == []
    skipped = Delivery.objects.get(channel_kind="pagerduty")
    assert skipped.status == DeliveryStatus.SKIPPED
    assert skipped.note == f"{tech.get_full_name()} wants only critical and worse here"
    with time_machine.travel(NOW + 2 * M, tick=False):
        issue_open(
            routed.plan, by=coordinator, title="Down", severity="critical", description="", owner_role=routed.tech
        )
    tick_at(NOW + 2 * M + 5 * S)
    assert [d["payload"]["summary"] for d in posted(routed.sink, "/ok/pd")] == [
        "[Checkout v2] Critical issue #2 opened: Down"
    ]


def test_a_route_turned_off_and_quiet_hours(routed: Setup, coordinator: User) -> None:
    tech = routed.tech.primary
    assert tech is not None
    RoutePreference.objects.create(route=routed.teams, user=tech, severity="off")
    RoutePreference.objects.create(route=routed.slack, user=tech, quiet_from=time(11, 0), quiet_until=time(13, 0))
    _open(routed, coordinator, "high", "Slow search")  # 12:00 UTC: in the quiet hours
    tick_at(NOW + 5 * S)
    assert posted(routed.sink, "/ok/teams") == []
    assert posted(routed.sink, "/ok/slack") == []
    notes = set(Delivery.objects.filter(status=DeliveryStatus.SKIPPED).values_list("note", flat=True))
    assert notes == {
        f"{tech.get_full_name()} turned this route off",
        f"{tech.get_full_name()} is in quiet hours (11:00–13:00)",
    }
    with time_machine.travel(NOW + M, tick=False):  # critical comes through quiet hours
        issue_open(
            routed.plan, by=coordinator, title="Down", severity="critical", description="", owner_role=routed.tech
        )
    tick_at(NOW + M + 5 * S)
    assert len(posted(routed.sink, "/ok/slack")) == 1
    assert posted(routed.sink, "/ok/teams") == []


def test_an_email_route_writes_to_each_person_who_wants_it(routed: Setup, coordinator: User) -> None:
    from tests import factories

    tech = routed.tech.primary
    assert tech is not None
    backup = factories.UserFactory()
    routed.tech.backup = backup
    routed.tech.save()
    email = Route.objects.create(plan=routed.plan, order=3, name="Mail", kind="email")
    RoutePreference.objects.create(route=email, user=backup, severity="off")
    _open(routed, coordinator, "medium", "Typo on the pricing page")
    tick_at(NOW + 5 * S)
    sent = [m for m in mail.outbox if "Typo" in m.subject]
    assert [m.to for m in sent] == [[tech.email]]
    assert sent[0].subject == "[Checkout v2] Medium issue #1 opened: Typo on the pricing page"
