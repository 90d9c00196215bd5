"""The admin is scoped per plan (issue 8, finding 9): a staff user sees and edits only the plans they
coordinate and everything in them; a form cannot attach anything to another plan; handing a plan to
another coordinator is a superuser's act, recorded as an event."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from checklists.models import Checklist, Item
from communications.models import Channel, Message
from communications.services import status_post
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.admin import PlanScopedAdmin, plan_path
from plans.models import Event, Phase, Plan, PlanStatus, Step
from plans.services import hold_start, kiosk_create, plan_set_coordinator
from roles.models import Role
from tests import factories
from tests.test_admin import form_data

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from django.contrib.admin import ModelAdmin
    from django.contrib.auth.models import User
    from django.db.models import Model, QuerySet
    from django.test import Client

    from tests.fixture_types import ClientResponse


APPS = {"plans", "roles", "checklists", "issues", "communications", "api", "readiness"}  # api: tokens, alert routes


def staff(username: str) -> User:
    user = factories.UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=APPS))
    return user


def from_template(*, slug: str, name: str, coordinator: User) -> Plan:
    return import_plan_text(
        template_text("heypeter-academy-lms"),
        t0="2026-12-01T12:00",
        tz="Europe/London",
        slug=slug,
        name=name,
        coordinator=coordinator,
        source_template="heypeter-academy-lms",
    )


class TwoStaffPlans(TypedDict):
    alice: User
    bob: User
    mine: Plan
    theirs: Plan


@pytest.fixture
def plans(db: None) -> TwoStaffPlans:
    alice, bob = staff("alice"), staff("bob")
    mine = from_template(slug="alices-launch", name="Alice launch", coordinator=alice)
    theirs = from_template(slug="bobs-launch", name="Zebra launch", coordinator=bob)
    for plan, user in ((mine, alice), (theirs, bob)):
        kiosk_create(plan, by=user, label=f"{user.username} TV")
        factories.IssueFactory(plan=plan, title=f"{user.username}'s issue")
        status_post(plan, by=user, title=f"{user.username}'s update")
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)
        plan.refresh_from_db()
        hold_start(plan, by=user, reason="weather")
        plan.refresh_from_db()
        _api_and_rollout(plan, user)
        _readiness(plan, user)
    return {"alice": alice, "bob": bob, "mine": mine, "theirs": theirs}


def plan_form(response: ClientResponse) -> dict:
    """form_data() of a plan's change page, with T-0 split the way its widget posts it."""
    data = form_data(response)
    t0 = response.context["adminform"].form.instance.t0
    data.pop("t0", None)
    data["t0_0"], data["t0_1"] = f"{t0:%Y-%m-%d}", f"{t0:%H:%M:%S}"
    return data


def _api_and_rollout(plan: Plan, user: User) -> None:
    """A token, an alert route and a rollout of two stages (issue 12), for the admins of each."""
    from api.models import AlertRoute
    from api.services import token_create
    from plans.models import Rollout, RolloutStage

    token_create(plan, by=user, name=f"{user.username} CI", scopes=["read"])
    AlertRoute.objects.create(plan=plan, alertname="Down", action="issue", severity="high")
    rollout = Rollout.objects.create(plan=plan)
    for i, percent in enumerate((10, 100)):
        RolloutStage.objects.create(rollout=rollout, order=i, name=f"{percent} %", percent=percent)


def _readiness(plan: Plan, user: User) -> None:
    """A training track with a session and an attendee, and a readiness item (issue 13)."""
    from readiness.models import Attendee, ReadinessItem, Session, Track

    role = plan.roles.earliest("order")
    track = Track.objects.create(plan=plan, name=f"{user.username} support team", slug="support", lead_role=role)
    session = Session.objects.create(track=track, plan=plan, title="Intensive", trainer_role=role)
    Attendee.objects.create(track=track, name="Ana", email="ana@example.com", session=session)
    ReadinessItem.objects.create(plan=plan, role=role, title="Runbooks read")


def scoped_models() -> Iterator[tuple[type[Model], ModelAdmin[Any]]]:
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in APPS:
            yield model, model_admin


def owned_by(model: type[Model], plan: Plan) -> QuerySet[Any]:
    path = plan_path(model)
    assert path is not None, model
    return model._default_manager.filter(**({f"{path}": plan} if path else {"pk": plan.pk}))


def test_every_plan_admin_and_inline_is_scoped() -> None:
    """A new ModelAdmin or inline without the mixin fails here."""
    for model, model_admin in scoped_models():
        assert isinstance(model_admin, PlanScopedAdmin), model
        assert plan_path(model) is not None and model_admin.plan_field == plan_path(model), model
        for inline in model_admin.inlines:
            assert issubclass(inline, PlanScopedAdmin), inline
            assert inline.plan_field == plan_path(inline.model), inline


@pytest.mark.django_db
def test_a_staff_user_sees_only_their_plans_in_every_changelist(client: Client, plans: TwoStaffPlans) -> None:
    client.force_login(plans["alice"])
    listed = 0
    for model, _ in scoped_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Zebra launch" not in response.content.decode(), url  # not a row, not a filter choice
        shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
        assert shown == set(owned_by(model, plans["mine"]).values_list("pk", flat=True)), url
        listed += bool(shown)
    assert listed >= 16
    # Asking for the other plan's rows by filter finds nothing.
    url = reverse("admin:plans_step_changelist")
    response = client.get(url, {"plan__id__exact": plans["theirs"].pk})
    assert "Zebra launch" not in response.content.decode()
    assert not Step.objects.filter(pk__in=[s.pk for s in response.context["cl"].result_list], plan=plans["theirs"])


@pytest.mark.django_db
def test_another_plans_objects_are_404_to_a_staff_user(client: Client, plans: TwoStaffPlans) -> None:
    client.force_login(plans["alice"])
    theirs = plans["theirs"]
    checked: set[str] = set()
    for model, _ in scoped_models():
        obj = owned_by(model, theirs).first()
        if obj is None:
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in ("change", "delete", "history"):
            response = client.get(reverse(f"{name}_{view}", args=[obj.pk]))
            assert response.status_code == 404, (name, view)
        response = client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"})
        assert response.status_code == 404
        assert model._default_manager.filter(pk=obj.pk).exists()
        checked.add(str(model._meta.model_name))
    assert {
        "plan", "phase", "step", "hold", "successmetric", "event", "kiosklink", "role", "risk",
        "checklist", "item", "gate", "issue", "channel", "message", "statuspost", "track", "readinessitem",
    } <= checked, checked  # fmt: skip
    # A change posted to the other plan's page changes nothing.
    before = Plan.objects.values().get(pk=theirs.pk)
    response = client.post(reverse("admin:plans_plan_change", args=[theirs.pk]), {"name": "Taken over"})
    assert response.status_code == 404
    assert Plan.objects.values().get(pk=theirs.pk) == before
    # Bulk actions only see the user's own rows.
    phases = list(theirs.phases.values_list("pk", flat=True))
    client.post(
        reverse("admin:plans_phase_changelist"),
        {"action": "delete_selected", "_selected_action": phases, "post": "yes"},
    )
    assert theirs.phases.count() == len(phases) > 0


@pytest.mark.django_db
def test_a_staff_user_edits_their_own_plan(client: Client, plans: TwoStaffPlans) -> None:
    client.force_login(plans["alice"])
    step = plans["mine"].steps.get(name="Database Migration")
    url = reverse("admin:plans_step_change", args=[step.pk])
    data = form_data(client.get(url))
    data["name"] = "Database migration (v2)"
    assert client.post(url, data).status_code == 302
    step.refresh_from_db()
    assert step.name == "Database migration (v2)"
    response = client.get(reverse("admin:plans_plan_change", args=[plans["mine"].pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_add_forms_offer_and_accept_only_the_users_plans(client: Client, plans: TwoStaffPlans) -> None:
    client.force_login(plans["alice"])
    mine, theirs = plans["mine"], plans["theirs"]

    # The choices offered: their own plans (and their roles, phases, channels…) only.
    form = client.get(reverse("admin:plans_phase_add")).context["adminform"].form
    assert set(form.fields["plan"].queryset) == {mine}
    form = client.get(reverse("admin:checklists_checklist_add")).context["adminform"].form
    assert set(form.fields["role"].queryset) == set(mine.roles.all())
    assert set(form.fields["phase"].queryset) == set(mine.phases.all())
    form = client.get(reverse("admin:communications_message_add")).context["adminform"].form
    assert set(form.fields["channels"].queryset) == set(Channel.objects.filter(plan=mine))
    form = client.get(reverse("admin:checklists_gate_add")).context["adminform"].form
    assert set(form.fields["polled_roles"].queryset) == set(mine.roles.all())
    form = client.get(reverse("admin:plans_step_add")).context["adminform"].form
    assert set(form.fields["depends_on"].queryset) == set(mine.steps.all())

    # Posting another plan's id anyway is refused with a form error, and nothing is created.
    phase = {"plan": theirs.pk, "name": "Sneaky phase", "order": "9", "start_offset": "T-1d", "end_offset": "T+0"}
    response = client.post(reverse("admin:plans_phase_add"), phase)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Phase.objects.filter(name="Sneaky phase").exists()
    phase["plan"] = mine.pk
    assert client.post(reverse("admin:plans_phase_add"), phase).status_code == 302
    assert Phase.objects.get(name="Sneaky phase").plan == mine

    role = {"plan": theirs.pk, "name": "Mole", "slug": "mole", "order": "1"}
    response = client.post(reverse("admin:roles_role_add"), role)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Role.objects.filter(slug="mole").exists()

    # Raw-id fields too: an item cannot be put on another plan's checklist.
    item = {
        "checklist": Checklist.objects.filter(plan=theirs).earliest("pk").pk,
        "title": "Planted item",
        "order": "1",
        "required": "on",
    }
    response = client.post(reverse("admin:checklists_item_add"), item)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Item.objects.filter(title="Planted item").exists()

    # A step of their plan cannot depend on another plan's step.
    step = mine.steps.get(name="Database Migration")
    url = reverse("admin:plans_step_change", args=[step.pk])
    data = form_data(client.get(url))
    data["depends_on"] = [str(theirs.steps.earliest("pk").pk)]
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not step.depends_on.filter(plan=theirs).exists()

    # A message cannot be sent through another plan's channel.
    message = Message.objects.filter(plan=mine).first()
    assert not Message.objects.filter(plan=mine, channels__plan=theirs).exists() and message is not None


@pytest.mark.django_db
def test_a_staff_user_cannot_change_the_coordinator(client: Client, plans: TwoStaffPlans) -> None:
    alice, bob, mine = plans["alice"], plans["bob"], plans["mine"]
    client.force_login(alice)
    url = reverse("admin:plans_plan_change", args=[mine.pk])
    response = client.get(url)
    assert "coordinator" not in response.context["adminform"].form.fields  # shown read-only
    data = plan_form(response)
    data["coordinator"] = str(bob.pk)
    data["summary"] = "Edited by Alice"
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.summary == "Edited by Alice" and mine.coordinator == alice
    assert not Event.objects.filter(plan=mine, kind="plan.coordinator_changed").exists()
    with pytest.raises(PermissionDenied):
        plan_set_coordinator(mine, by=alice, coordinator=bob)
    mine.refresh_from_db()
    assert mine.coordinator == alice


@pytest.mark.django_db
def test_a_staff_users_new_plans_are_theirs(client: Client, plans: TwoStaffPlans) -> None:
    alice, bob = plans["alice"], plans["bob"]
    client.force_login(alice)
    response = client.post(
        reverse("admin:plans_plan_from_template"),
        {"template": "heypeter-academy-lms", "name": "Alice second", "t0": "2026-07-01T12:00", "timezone": "UTC"},
    )
    assert response.status_code == 302
    assert Plan.objects.get(name="Alice second").coordinator == alice
    add = client.get(reverse("admin:plans_plan_add"))
    assert "coordinator" not in add.context["adminform"].form.fields
    data = {
        "name": "Alice third",
        "slug": "alice-third",
        "coordinator": str(bob.pk),  # ignored: the field is read-only for her
        "t0_0": "2026-08-01",
        "t0_1": "12:00:00",
        "timezone": "UTC",
        "reminder_lead": "15m",
        "extra": "{}",
        "status": "draft",
    }
    for prefix in ("phases", "steps", "roles", "checklists", "gates", "rollout"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:plans_plan_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    third = Plan.objects.get(slug="alice-third")
    assert third.coordinator == alice
    assert client.get(reverse("admin:plans_plan_change", args=[third.pk])).status_code == 200


@pytest.mark.django_db
def test_a_superuser_sees_every_plan_and_hands_one_over_with_an_event(client: Client, plans: TwoStaffPlans) -> None:
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    alice, bob, mine = plans["alice"], plans["bob"], plans["mine"]
    client.force_login(root)
    listed = client.get(reverse("admin:plans_plan_changelist")).context["cl"].result_list
    assert set(listed) == {plans["mine"], plans["theirs"]}
    url = reverse("admin:plans_plan_change", args=[mine.pk])
    data = plan_form(client.get(url))
    data["coordinator"] = str(bob.pk)
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.coordinator == bob
    event = Event.objects.get(plan=mine, kind="plan.coordinator_changed")
    assert event.actor == root and event.data == {"from": alice.pk, "to": bob.pk}
    assert event.summary == f"Coordinator changed from {alice.get_full_name()} to {bob.get_full_name()}"

    # Now the plan is Bob's: Alice's admin no longer shows it.
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(bob)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_plan_set_coordinator_service(plans: TwoStaffPlans) -> None:
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    mine, bob = plans["mine"], plans["bob"]
    revision = mine.revision
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError):
        plan_set_coordinator(mine, by=root, coordinator=bob)
    mine.refresh_from_db()
    assert mine.coordinator == plans["alice"] and mine.revision == revision
    plan_set_coordinator(mine, by=root, coordinator=None)
    mine.refresh_from_db()
    assert mine.coordinator is None and mine.revision == revision + 1
    assert Event.objects.filter(plan=mine, kind="plan.coordinator_changed", actor=root).count() == 1
    plan_set_coordinator(mine, by=root, coordinator=None)  # no change: no event
    assert Event.objects.filter(plan=mine, kind="plan.coordinator_changed").count() == 1
    assert Step.objects.filter(plan=mine).exists()


@pytest.mark.django_db
def test_a_plan_that_never_went_live_is_deleted_with_its_rows_and_a_launch_is_kept(client: Client) -> None:
    """A mistaken import could not be deleted by anyone ("your account doesn't have permission to delete the
    following types of objects: event"): a draft or scheduled plan goes with its rows; one that began stays."""
    from plans.models import Event, PlanStatus

    owner = staff("casey")
    mistake = from_template(slug="oops", name="Imported twice", coordinator=owner)
    launched = from_template(slug="live", name="The real one", coordinator=owner)
    Plan.objects.filter(pk=launched.pk).update(status=PlanStatus.LAUNCHED)  # (test set-up)
    assert Event.objects.filter(plan=mistake).exists()
    client.force_login(owner)
    url = reverse("admin:plans_plan_delete", args=[mistake.pk])
    page = client.get(url)
    assert page.status_code == 200 and "permission" not in page.content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Plan.objects.filter(pk=mistake.pk).exists() and not Event.objects.filter(plan_id=mistake.pk).exists()
    assert client.get(reverse("admin:plans_plan_delete", args=[launched.pk])).status_code == 403
    changelist = reverse("admin:plans_plan_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [launched.pk]}
    assert "a launch that began keeps its record" in client.post(changelist, chosen).content.decode()
    assert client.post(changelist, {**chosen, "post": "yes"}).status_code == 403
    assert Plan.objects.filter(pk=launched.pk).exists()
