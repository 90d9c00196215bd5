"""The coordinator's "Assign people" screen (issue 11, finding 13): every role's primary and backup on one
admin page, saved through roles.services.role_assign_people with its permission check and one event."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from plans.models import Event, Plan
from roles.models import Role
from roles.services import role_assign_people
from tests import factories

pytestmark = pytest.mark.django_db


def staff(username: str, *, change: bool = True) -> User:
    user = factories.UserFactory(username=username, is_staff=True)
    codenames = ["view_plan", "change_plan"] if change else ["view_plan"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="plans", codename__in=codenames))
    return user


@pytest.fixture
def team(db: None) -> dict[str, Any]:
    coordinator = staff("casey")
    plan = factories.PlanFactory(coordinator=coordinator, slug="assign-me")
    roles = [
        factories.RoleFactory(plan=plan, name=f"Role {n}", slug=f"role-{n}", order=n, primary=None) for n in range(4)
    ]
    people = [factories.UserFactory(username=f"person{n}") for n in range(5)]
    return {"coordinator": coordinator, "plan": plan, "roles": roles, "people": people}


def url(plan: Plan) -> str:
    return reverse("admin:plans_plan_assign", args=[plan.pk])


def test_the_coordinator_assigns_every_role_from_one_page(
    client: Client, team: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    plan, roles, people = team["plan"], team["roles"], team["people"]
    client.force_login(team["coordinator"])
    with django_assert_max_num_queries(12):
        page = client.get(url(plan))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(f'name="primary_{r.pk}"' in html and f'name="backup_{r.pk}"' in html for r in roles)
    revision = Plan.objects.get(pk=plan.pk).revision
    data = {}
    for n, role in enumerate(roles):
        data[f"primary_{role.pk}"] = str(people[n].pk)
        data[f"backup_{role.pk}"] = str(people[n + 1].pk)
    response = client.post(url(plan), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])
    for n, role in enumerate(roles):
        role.refresh_from_db()
        assert (role.primary, role.backup) == (people[n], people[n + 1])
    events = Event.objects.filter(plan=plan, kind="roles.assigned")
    assert events.count() == 1 and "4 roles" in events.get().summary
    assert Plan.objects.get(pk=plan.pk).revision == revision + 1
    # Posting the same again changes nothing and records nothing.
    assert client.post(url(plan), data).status_code == 302
    assert events.count() == 1


def test_the_plan_page_links_to_it(client: Client, team: dict[str, Any]) -> None:
    client.force_login(team["coordinator"])
    html = client.get(reverse("admin:plans_plan_change", args=[team["plan"].pk])).content.decode()
    assert url(team["plan"]) in html


def test_one_person_cannot_be_primary_and_backup_of_a_role(client: Client, team: dict[str, Any]) -> None:
    role, person = team["roles"][0], team["people"][0]
    client.force_login(team["coordinator"])
    response = client.post(url(team["plan"]), {f"primary_{role.pk}": person.pk, f"backup_{role.pk}": person.pk})
    assert response.status_code == 200 and "both primary and backup" in response.content.decode()
    role.refresh_from_db()
    assert role.primary is None


def test_staff_without_change_permission_gets_403(client: Client, team: dict[str, Any]) -> None:
    viewer = staff("viewer", change=False)
    Plan.objects.filter(pk=team["plan"].pk).update(coordinator=viewer)
    client.force_login(viewer)
    assert client.get(url(team["plan"])).status_code == 403
    role = team["roles"][0]
    assert client.post(url(team["plan"]), {f"primary_{role.pk}": team["people"][0].pk}).status_code == 403
    role.refresh_from_db()
    assert role.primary is None


def test_another_coordinator_and_a_role_holder_are_refused(client: Client, team: dict[str, Any]) -> None:
    client.force_login(staff("bob"))
    assert client.get(url(team["plan"])).status_code == 404  # another coordinator's plan: as if absent
    holder = team["people"][0]
    Role.objects.filter(pk=team["roles"][0].pk).update(primary=holder)
    client.force_login(holder)
    response = client.get(url(team["plan"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]  # not staff


def test_the_service_checks_permission_and_the_plan(team: dict[str, Any]) -> None:
    plan, role, person = team["plan"], team["roles"][0], team["people"][0]
    with pytest.raises(PermissionDenied):
        role_assign_people(plan, by=person, assignments={role.pk: (person, None)})
    other = factories.PlanFactory(coordinator=team["coordinator"], slug="other")
    elsewhere = factories.RoleFactory(plan=other, slug="elsewhere")
    with pytest.raises(ValidationError):
        role_assign_people(plan, by=team["coordinator"], assignments={elsewhere.pk: (person, None)})
    person.is_active = False
    person.save()
    with pytest.raises(ValidationError):
        role_assign_people(plan, by=team["coordinator"], assignments={role.pk: (person, None)})
    assert not Event.objects.filter(kind="roles.assigned").exists()


def test_an_api_token_is_not_offered_or_accepted_as_a_person(client: Client, team: dict[str, Any]) -> None:
    """A token acts as a service identity of its own (``api-token-…``): it is no one to call at 3 a.m., so
    neither the "Assign people" screen nor the role admin's selects list it, and the service refuses it."""
    from api.services import token_create

    plan, roles = team["plan"], team["roles"]
    token, _ = token_create(plan, by=team["coordinator"], name="CI deploy pipeline", scopes=["read"])
    identity = token.identity
    team["coordinator"].user_permissions.add(
        *Permission.objects.filter(content_type__app_label="roles", codename__in=["view_role", "change_role"])
    )
    client.force_login(team["coordinator"])
    assert f'value="{identity.pk}"' not in client.get(url(plan)).content.decode()
    assert f'value="{team["people"][0].pk}"' in client.get(url(plan)).content.decode()
    role_admin = client.get(reverse("admin:roles_role_change", args=[roles[0].pk]))
    assert role_admin.status_code == 200
    assert "api-token-" not in role_admin.content.decode()
    with pytest.raises(ValidationError, match="API token, not a person"):
        role_assign_people(plan, by=team["coordinator"], assignments={roles[0].pk: (identity, None)})
    assert Role.objects.get(pk=roles[0].pk).primary_id is None
