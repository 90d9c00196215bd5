"""A deactivated account (Django admin: Active unticked) is sent nothing: a role's backup gets what its
deactivated primary would; a role whose holders are all deactivated has its reminders listed under "Needs
attention" (recorded as skipped saying so when due), as a holder with no email address is; so is a person a
notification route names (its people's choices) whose account was deactivated since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from communications import outbox
from communications.models import Delivery, DeliveryStatus, Route, RoutePreference
from communications.sources import specs_for
from communications.sources.registry import holders
from roles.rota.oncall import OnCall, page_people
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOW = T0 - timedelta(hours=3)


def deactivate(user: User | None) -> None:
    assert user is not None
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.fixture
def dba(plan: Plan) -> Role:
    primary = factories.UserFactory(username="dana", first_name="Dana", last_name="Base")
    backup = factories.UserFactory(username="olu", first_name="Olu", last_name="Ops")
    role = factories.RoleFactory(plan=plan, name="Database Administrator", primary=primary, backup=backup)
    factories.ItemFactory(
        checklist__plan=plan, checklist__role=role, title="Freeze schema", due_offset=-timedelta(hours=1)
    )
    return role


def reminders(plan: Plan) -> list[tuple[str, str]]:
    specs = specs_for(plan, NOW, T0 + timedelta(hours=6))
    return [(s.recipient_label, s.skip_reason) for s in specs if s.source_kind == "item.due"]


def test_holders_pass_over_a_deactivated_primary(dba: Role) -> None:
    assert [w for _, w in holders(dba)] == ["primary", "backup"]
    deactivate(dba.primary)
    dba.refresh_from_db()
    assert [(u.username, w) for u, w in holders(dba)] == [("olu", "backup")]
    deactivate(dba.backup)
    dba.refresh_from_db()  # nobody active: both, so that their sends are skipped saying so
    assert [(u.username, w) for u, w in holders(dba)] == [("dana", "primary"), ("olu", "backup")]


def test_the_backup_gets_the_reminders_of_a_deactivated_primary(plan: Plan, dba: Role) -> None:
    assert reminders(plan) == [
        ("Dana Base (Database Administrator, primary)", ""),
        ("Olu Ops (Database Administrator, backup)", ""),
    ]
    deactivate(dba.primary)
    assert reminders(plan) == [("Olu Ops (Database Administrator, backup)", "")]


def test_a_role_with_nobody_active_needs_attention(client: Client, plan: Plan, dba: Role, coordinator: User) -> None:
    deactivate(dba.primary)
    deactivate(dba.backup)
    assert reminders(plan) == [
        (
            "Dana Base (Database Administrator, primary)",
            "Dana Base's account is deactivated: assign someone to Database Administrator",
        ),
        (
            "Olu Ops (Database Administrator, backup)",
            "Olu Ops's account is deactivated: assign someone to Database Administrator",
        ),
    ]
    client.force_login(coordinator)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    attention = html.split('id="attention"')[1].split("</section>")[0]
    assert "Not sent: Dana Base&#x27;s account is deactivated: assign someone to Database Administrator" in attention
    scheduled = html.split('id="scheduled"')[1].split("</section>")[0]
    assert "Dana Base" not in scheduled and "Olu Ops" not in scheduled
    # When due, the reminder is recorded as skipped with the reason; nothing is sent.
    with time_machine.travel(T0 - timedelta(minutes=59), tick=False):
        outbox.tick()
    rows = Delivery.objects.filter(plan=plan, source_kind="item.due")
    assert rows.count() == 2 and all(d.status == DeliveryStatus.SKIPPED for d in rows)
    assert all("account is deactivated" in d.note for d in rows)


def test_a_page_passes_over_a_deactivated_person_on_call(dba: Role) -> None:
    on_shift = factories.UserFactory(username="sam")
    shift = OnCall(dba.pk, on_shift, None, T0, T0 + timedelta(hours=8), 1)
    assert [(u.username, w) for u, w in page_people(dba, shift)] == [("sam", "on call")]
    deactivate(on_shift)  # the role's active holders are paged instead
    assert [(u.username, w) for u, w in page_people(dba, shift)] == [("dana", "primary"), ("olu", "backup")]
    deactivate(dba.primary)
    dba.refresh_from_db()
    assert [(u.username, w) for u, w in page_people(dba, shift)] == [("olu", "backup")]


def test_a_route_naming_a_deactivated_person_needs_attention(
    client: Client, plan: Plan, dba: Role, coordinator: User
) -> None:
    """The import and the admin take active people only; one deactivated since is listed for the coordinator,
    with a link to the route in the admin they may open (a disabled route's people are not: it sends nothing)."""
    dana = dba.primary
    assert dana is not None
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_staff=True)
    pager = Route.objects.create(plan=plan, order=0, name="Pager", kind="pagerduty", key="{{ pd_key }}")
    RoutePreference.objects.create(route=pager, user=dana, severity="critical")
    off = Route.objects.create(plan=plan, order=1, name="Old chat", kind="slack", url="env:LC_ROUTE_X", enabled=False)
    RoutePreference.objects.create(route=off, user=dana, severity="off")
    client.force_login(coordinator)
    url = reverse("communications:page", args=[plan.slug])
    with time_machine.travel(NOW, tick=False):
        assert 'id="route-people"' not in client.get(url).content.decode()  # everyone active: nothing to say
        deactivate(dana)
        html = client.get(url).content.decode()
    attention = html.split('id="attention"')[1].split("</section>")[0]
    listed = attention.split('id="route-people"')[1].split("</ul>")[0]
    assert "Dana Base, in the people of route Pager, is deactivated: remove them from the route" in listed
    assert reverse("admin:communications_route_change", args=[pager.pk]) in listed
    assert "Old chat" not in listed
    client.force_login(factories.UserFactory())  # everyone signed in reads the page; only the coordinator gets the link
    with time_machine.travel(NOW, tick=False):
        html = client.get(url).content.decode()
    assert "Dana Base, in the people of route Pager, is deactivated" in html
    assert reverse("admin:communications_route_change", args=[pager.pk]) not in html
