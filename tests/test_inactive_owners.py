"""A role holder whose account was deactivated (Django admin: Active unticked) is marked "(inactive)" wherever
role owners are shown (the plan page's Roles, the role page's header, the board's who-owns-what, on call and
who to call, the admin's "Assign people"), and the coordinator is warned on the plan page, with a link to
"Assign people". The screen keeps them (marked) when the other roles are saved; choosing one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from roles.models import Role, Shift
from roles.services import role_assign_people
from tests import factories
from warroom import views as board_views

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.test import Client
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 11, 40, 10, tzinfo=UTC)
WARNING = "Dana Base, primary of Database Administrator, is deactivated: assign someone."


@pytest.fixture(autouse=True)
def frozen(settings: Settings) -> Iterator[None]:
    settings.WARROOM_REVISION_TTL = 0
    board_views._REVISIONS.clear()
    board_views._VERIFIED.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    board_views._REVISIONS.clear()
    board_views._VERIFIED.clear()


@pytest.fixture
def team(db: None) -> dict[str, Any]:
    coordinator = factories.UserFactory(username="casey", is_staff=True)
    coordinator.user_permissions.set(
        Permission.objects.filter(content_type__app_label="plans", codename__in=["view_plan", "change_plan"])
    )
    plan = factories.PlanFactory(coordinator=coordinator, slug="inactive-owner")
    dana = factories.UserFactory(username="dana", first_name="Dana", last_name="Base")
    olu = factories.UserFactory(username="olu", first_name="Olu", last_name="Ops")
    dba = factories.RoleFactory(plan=plan, name="Database Administrator", slug="dba", primary=dana, backup=olu)
    other = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=olu, backup=None)
    factories.ItemFactory(
        checklist__plan=plan, checklist__role=dba, title="Freeze schema", due_offset=-timedelta(hours=1)
    )
    dana.is_active = False
    dana.save(update_fields=["is_active"])
    return {"coordinator": coordinator, "plan": plan, "dba": dba, "other": other, "dana": dana, "olu": olu}


def test_the_plan_page_marks_them_and_warns_the_coordinator(client: Client, team: dict[str, Any]) -> None:
    plan = team["plan"]
    client.force_login(team["coordinator"])
    html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    row = html.split('id="role-dba"')[1].split("</tr>")[0]
    assert '<span class="person-inactive" title="Account deactivated">Dana Base (inactive)</span>' in row
    assert "Olu Ops" in row and "Olu Ops (inactive)" not in row
    warning = html.split('id="deactivated-holders"')[1].split("</div>")[0]
    assert WARNING in warning
    assert reverse("admin:plans_plan_assign", args=[plan.pk]) in warning
    # a holder of another role sees the mark, not the coordinator's warning
    client.force_login(team["olu"])
    html = client.get(reverse("plans:detail", args=[plan.slug])).content.decode()
    assert "Dana Base (inactive)" in html and 'id="deactivated-holders"' not in html


def test_no_warning_when_everyone_is_active(client: Client, team: dict[str, Any]) -> None:
    team["dana"].is_active = True
    team["dana"].save(update_fields=["is_active"])
    client.force_login(team["coordinator"])
    html = client.get(reverse("plans:detail", args=[team["plan"].slug])).content.decode()
    assert "(inactive)" not in html and 'id="deactivated-holders"' not in html


def test_the_role_page_header_marks_them(client: Client, team: dict[str, Any]) -> None:
    client.force_login(team["coordinator"])
    html = client.get(reverse("checklists:role", args=[team["plan"].slug, "dba"])).content.decode()
    assert 'Primary <span class="person-inactive" title="Account deactivated">Dana Base (inactive)</span>' in html


def test_the_board_marks_them(client: Client, team: dict[str, Any]) -> None:
    plan, dba = team["plan"], team["dba"]
    Shift.objects.create(plan=plan, role=dba, start=-timedelta(hours=2), end=timedelta(hours=6), person=team["dana"])
    Role.objects.filter(pk=dba.pk).update(phone="+44 20 0000 0000", order=99)  # after QA Lead, but for her
    client.force_login(team["coordinator"])
    html = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    owners = html.split("Who owns what")[1].split("</ul>")[0]
    assert owners.index("Database Administrator") < owners.index("QA Lead")  # shown first, with the unassigned
    assert '<span class="inactive">Dana Base <span class="warn">(inactive)</span></span> / Olu Ops' in owners
    on_call = html.split('id="wr-oncall"')[1].split("</ul>")[0]
    assert 'class="oncall inactive"' in on_call and "Dana Base (inactive)" in on_call
    contacts = html.split('id="wr-contacts"')[1]
    # who to call: the backup who can be reached, not the deactivated primary (the strip named her)
    strip = contacts.split("</ol>")[0]
    assert '<b>Database Administrator</b> <span class="wr-ct-who">Olu Ops</span>' in strip


def test_the_board_pages_the_backup_when_nobody_is_on_call(client: Client, team: dict[str, Any]) -> None:
    plan, dba = team["plan"], team["dba"]
    Shift.objects.create(plan=plan, role=dba, start=timedelta(hours=2), end=timedelta(hours=6), person=team["olu"])
    client.force_login(team["coordinator"])
    html = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    on_call = html.split('id="wr-oncall"')[1].split("</ul>")[0]
    assert "pages Olu Ops" in on_call


def test_assign_people_shows_them_marked_and_keeps_them(client: Client, team: dict[str, Any]) -> None:
    plan, dba, other, dana, olu = (team[k] for k in ("plan", "dba", "other", "dana", "olu"))
    url = reverse("admin:plans_plan_assign", args=[plan.pk])
    client.force_login(team["coordinator"])
    html = client.get(url).content.decode()
    select = html.split(f'name="primary_{dba.pk}"')[1].split("</select>")[0]
    assert f'<option value="{dana.pk}" selected>Dana Base (dana) (inactive)</option>' in select
    assert f'value="{dana.pk}"' not in html.split(f'name="primary_{other.pk}"')[1].split("</select>")[0]
    # Saving another role's change keeps her where she is (no silent unassignment, no refusal)...
    data = {f"primary_{dba.pk}": dana.pk, f"backup_{dba.pk}": olu.pk, f"primary_{other.pk}": team["coordinator"].pk}
    assert client.post(url, data).status_code == 302
    dba.refresh_from_db()
    other.refresh_from_db()
    assert dba.primary == dana and other.primary == team["coordinator"]
    # ... and choosing her anew is refused.
    with pytest.raises(ValidationError, match="account is inactive"):
        role_assign_people(plan, by=team["coordinator"], assignments={other.pk: (dana, None)})


def test_plan_page_queries_do_not_grow(client: Client, team: dict[str, Any]) -> None:
    """The warning and the marks come from the roles already read with their people: no query per role."""
    client.force_login(team["coordinator"])
    url = reverse("plans:detail", args=[team["plan"].slug])
    client.get(url)
    before = len(_queries(client, url))
    for n in range(3):
        factories.RoleFactory(plan=team["plan"], name=f"More {n}", slug=f"more-{n}", primary=team["dana"])
    assert len(_queries(client, url)) == before


def _queries(client: Client, url: str) -> list[Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return list(ctx.captured_queries)
