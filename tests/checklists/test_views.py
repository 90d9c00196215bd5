from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from checklists.models import ItemStatus
from plans.models import Event, StepStatus
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Item
    from plans.models import Plan
    from roles.models import Role


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def owner() -> User:
    return factories.UserFactory(username="owner")


@pytest.fixture
def stranger() -> User:
    return factories.UserFactory(username="stranger")


@pytest.fixture
def role(plan: Plan, owner: User) -> Role:
    return factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)


@pytest.fixture
def item(plan: Plan, role: Role) -> Item:
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="DB prep")
    return factories.ItemFactory(checklist=checklist, title="Take backup", due_offset=timedelta(hours=-2))


def role_url(plan: Plan, role: Role) -> str:
    return reverse("checklists:role", args=[plan.slug, role.slug])


def item_url(plan: Plan, role: Role, item: Item) -> str:
    return reverse("checklists:item_set", args=[plan.slug, role.slug, item.pk])


def test_role_page_shows_items_and_steps_in_due_order_with_states(
    client: Client, plan: Plan, role: Role, item: Item, owner: User
) -> None:
    later = factories.StepFactory(plan=plan, lead_role=role, name="Migrate schema", offset=timedelta(hours=-1))
    client.force_login(owner)
    with time_machine.travel(T0 - timedelta(hours=2, minutes=10), tick=False):
        response = client.get(role_url(plan, role))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Take backup") < html.index("Migrate schema")
    assert "Due soon" in html  # item due in 10 minutes, reminder lead 15 minutes
    assert "Upcoming" in html  # the step, 70 minutes away
    assert 'data-action="tick"' in html
    assert "T-2h" in html and "GMT" in html  # T-offset and time in the plan's zone (Europe/London)
    assert f'datetime="{(T0 - timedelta(hours=2)).isoformat()}"' in html  # ISO for the browser-zone script
    assert later.name in html


def test_tick_swaps_just_the_row_and_records_who(
    client: Client, plan: Plan, role: Role, item: Item, owner: User
) -> None:
    client.force_login(owner)
    response = client.post(
        item_url(plan, role, item), {"status": "done", "version": item.version}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<li class="row row-done" id="item-{item.pk}"')
    assert "<html" not in html
    assert "Done by" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.done_by == owner


def test_double_click_records_one_event(client: Client, plan: Plan, role: Role, item: Item, owner: User) -> None:
    client.force_login(owner)
    for _ in range(2):
        client.post(item_url(plan, role, item), {"status": "done", "version": 0}, headers={"HX-Request": "true"})
    assert Event.objects.filter(plan=plan, kind="item.ticked").count() == 1


def test_stale_page_gets_a_message_not_an_undo(client: Client, plan: Plan, role: Role, item: Item, owner: User) -> None:
    client.force_login(owner)
    client.post(item_url(plan, role, item), {"status": "done", "version": 0}, headers={"HX-Request": "true"})
    # A second tab still shows version 0 (open) and its "untick" is from before; now another stale tab
    # that saw the item open tries to… untick a version it never saw.
    response = client.post(item_url(plan, role, item), {"status": "open", "version": 0}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert "changed by someone else" in response.content.decode()


def test_note_is_saved_with_the_row(client: Client, plan: Plan, role: Role, item: Item, owner: User) -> None:
    client.force_login(owner)
    response = client.post(
        item_url(plan, role, item),
        {"status": "open", "version": 0, "note": "Backup job queued"},
        headers={"HX-Request": "true"},
    )
    assert "Backup job queued" in response.content.decode()
    item.refresh_from_db()
    assert item.note == "Backup job queued" and item.status == ItemStatus.OPEN


def test_stranger_sees_no_buttons_and_gets_403(
    client: Client, plan: Plan, role: Role, item: Item, stranger: User
) -> None:
    client.force_login(stranger)
    html = client.get(role_url(plan, role)).content.decode()
    assert 'data-action="tick"' not in html
    assert "You can read this page" in html
    response = client.post(item_url(plan, role, item), {"status": "done", "version": 0})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    assert not Event.objects.filter(plan=plan).exists()


def test_backup_and_coordinator_may_tick(client: Client, plan: Plan, role: Role, item: Item, coordinator: User) -> None:
    backup = factories.UserFactory(username="backup")
    role.backup = backup
    role.save()
    for user, status in ((backup, "done"), (coordinator, "open")):
        client.force_login(user)
        version = type(item).objects.get(pk=item.pk).version
        assert client.post(item_url(plan, role, item), {"status": status, "version": version}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.version == 2


def test_role_page_needs_login_and_404s_unknown_role(client: Client, plan: Plan, role: Role, stranger: User) -> None:
    assert client.get(role_url(plan, role)).status_code == 302
    client.force_login(stranger)
    assert client.get(reverse("checklists:role", args=[plan.slug, "nobody"])).status_code == 404


def test_trimmed_roles_url_leads_to_the_viewers_role_or_the_plans_roles(
    client: Client, plan: Plan, role: Role, owner: User, stranger: User, coordinator: User
) -> None:
    """``/plans/<plan>/roles/`` (a role page's URL trimmed) is no 404: a holder of exactly one role in the
    plan (primary or backup) lands on its page, anyone else on the plan page's roles; sign-in as for the plan page."""
    url = f"/plans/{plan.slug}/roles/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(owner)
    assert client.get(url)["Location"] == role_url(plan, role)
    roles_section = reverse("plans:detail", args=[plan.slug]) + "#roles"
    client.force_login(stranger)  # signed in, no role here: what the plan page gives everyone signed in
    assert client.get(url)["Location"] == roles_section
    page = client.get(url, follow=True)
    assert page.status_code == 200 and 'id="roles"' in page.content.decode()
    factories.RoleFactory(plan=factories.PlanFactory(), slug="elsewhere", backup=stranger)  # another plan's role
    backup_of = factories.RoleFactory(plan=plan, name="QA", slug="qa", backup=stranger)
    assert client.get(url)["Location"] == role_url(plan, backup_of)
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=stranger)  # two roles here: choose on the plan
    assert client.get(url)["Location"] == roles_section
    client.force_login(coordinator)  # coordinates, holds none
    assert client.get(url)["Location"] == roles_section
    assert client.get("/plans/no-such-plan/roles/").status_code == 404


def test_item_of_another_role_is_404_on_this_role_url(client: Client, plan: Plan, role: Role, owner: User) -> None:
    other = factories.ItemFactory(checklist__plan=plan)
    client.force_login(owner)
    response = client.post(item_url(plan, role, other), {"status": "done", "version": 0})
    assert response.status_code == 404


def test_blocked_step_shows_blockers_and_no_start_button(client: Client, plan: Plan, role: Role, owner: User) -> None:
    first = factories.StepFactory(plan=plan, name="Freeze writes", offset=timedelta(hours=-3))
    second = factories.StepFactory(plan=plan, lead_role=role, name="Run migration", offset=timedelta(hours=-2))
    second.depends_on.add(first)
    client.force_login(owner)
    html = client.get(role_url(plan, role)).content.decode()
    assert "Blocked by “Freeze writes”" in html
    assert 'data-action="start"' not in html
    response = client.post(
        reverse("checklists:step_start", args=[plan.slug, role.slug, second.pk]), headers={"HX-Request": "true"}
    )
    assert "blocked by" in response.content.decode()
    second.refresh_from_db()
    assert second.status == StepStatus.PENDING


def test_start_and_finish_a_step(client: Client, plan: Plan, role: Role, owner: User) -> None:
    step = factories.StepFactory(plan=plan, lead_role=role, name="Run migration")
    client.force_login(owner)
    start = reverse("checklists:step_start", args=[plan.slug, role.slug, step.pk])
    finish = reverse("checklists:step_finish", args=[plan.slug, role.slug, step.pk])
    html = client.post(start, headers={"HX-Request": "true"}).content.decode()
    assert 'data-action="finish"' in html and "Started by" in html
    client.post(start, headers={"HX-Request": "true"})  # double click
    html = client.post(finish, headers={"HX-Request": "true"}).content.decode()
    assert "finished by" in html
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert Event.objects.filter(plan=plan, kind="step.started").count() == 1


def test_stranger_cannot_start_a_step(client: Client, plan: Plan, role: Role, stranger: User) -> None:
    step = factories.StepFactory(plan=plan, lead_role=role)
    client.force_login(stranger)
    response = client.post(reverse("checklists:step_start", args=[plan.slug, role.slug, step.pk]))
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING


def test_skip_and_reopen_an_item(client: Client, plan: Plan, role: Role, item: Item, owner: User) -> None:
    client.force_login(owner)
    html = client.post(
        item_url(plan, role, item), {"status": "skipped", "version": 0}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Skipped" in html and 'data-action="unskip"' in html
    client.post(item_url(plan, role, item), {"status": "open", "version": 1}, headers={"HX-Request": "true"})
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    assert list(Event.objects.filter(plan=plan).values_list("kind", flat=True).order_by("id")) == [
        "item.skipped",
        "item.reopened",
    ]


def test_times_across_a_dst_change_show_the_plan_zone_offset_of_each_moment(client: Client, owner: User) -> None:
    # London leaves summer time at 01:00 UTC on Sun 25 Oct 2026; T-0 is after it, the item before.
    plan = factories.PlanFactory(t0=datetime(2026, 10, 25, 12, 0, tzinfo=UTC), timezone="Europe/London")
    role = factories.RoleFactory(plan=plan, slug="ops", primary=owner)
    factories.ItemFactory(checklist__plan=plan, checklist__role=role, title="Eve check", due_offset=timedelta(days=-1))
    factories.ItemFactory(checklist__plan=plan, checklist__role=role, title="Launch check", due_offset=timedelta(0))
    client.force_login(owner)
    with time_machine.travel(datetime(2026, 10, 24, 9, 0, tzinfo=UTC), tick=False):
        html = client.get(role_url(plan, role)).content.decode()
    # T-1d is a calendar day in the plan's zone (issue 10): the same wall-clock time the day before, in
    # summer time, so 11:00 UTC (not 24 elapsed hours, which would read 13:00 BST)
    assert "Sat 24 Oct 12:00 BST" in html
    assert "Sun 25 Oct 12:00 GMT" in html  # T-0 after the change
    assert 'datetime="2026-10-24T11:00:00+00:00"' in html


def test_the_role_switch_opens_a_role_of_the_plan_and_nothing_else(
    client: Client, plan: Plan, role: Role, owner: User
) -> None:
    """The switch is a GET form with an "Open" button (it works without JavaScript): the view sends the reader
    to the chosen role of the same plan; a slug that is none of its roles (or a URL) is not followed."""
    other = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa")
    foreign = factories.RoleFactory(name="Elsewhere", slug="elsewhere")
    client.force_login(owner)
    response = client.get(role_url(plan, role), {"role": "qa"})
    assert response.status_code == 302
    assert response["Location"] == role_url(plan, other)
    assert client.get(role_url(plan, role), {"role": "_unowned"})["Location"].endswith("/roles/_unowned/")
    for junk in ("dba", foreign.slug, "//evil.example/", "../../admin/"):
        assert client.get(role_url(plan, role), {"role": junk}).status_code == 200
    page = client.get(role_url(plan, role)).content.decode()
    assert '<option value="qa" >QA Lead</option>' in page
    assert '<button type="submit" class="btn small-btn">Open</button>' in page
