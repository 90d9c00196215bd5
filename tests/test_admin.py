from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from checklists.models import Item
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.models import Event, Plan

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.forms import BaseForm
    from django.test import Client

    from tests.fixture_types import ClientResponse


@pytest.fixture
def template_plan(db: None) -> Plan:
    return import_plan_text(
        template_text("heypeter-academy-lms"),
        t0="2026-12-01T12:00",
        tz="Europe/London",
        source_template="heypeter-academy-lms",
    )


@pytest.mark.django_db
def test_every_changelist_and_the_plan_change_view_load(admin_client: Client, template_plan: Plan) -> None:
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in {"plans", "roles", "checklists", "issues", "communications", "readiness"}:
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        if model_admin.search_fields:
            assert admin_client.get(url, {"q": "launch"}).status_code == 200, url
    response = admin_client.get(reverse("admin:plans_plan_change", args=[template_plan.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Database Migration", "Technical Lead", "Go/No-Go Criteria", "Phase 2: Deployment Day"):
        assert text in body
    gate = template_plan.gates.get()
    assert admin_client.get(reverse("admin:checklists_gate_change", args=[gate.pk])).status_code == 200
    checklist = template_plan.checklists.first()
    assert checklist is not None
    assert admin_client.get(reverse("admin:checklists_checklist_change", args=[checklist.pk])).status_code == 200


@pytest.mark.django_db
def test_item_changelist_filters(admin_client: Client, template_plan: Plan) -> None:
    role = template_plan.roles.get(slug="dba")
    url = reverse("admin:checklists_item_changelist")
    response = admin_client.get(
        url, {"plan__id__exact": str(template_plan.pk), "owner_role__id__exact": str(role.pk), "status__exact": "open"}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == Item.objects.filter(owner_role=role, status="open").count() > 0


@pytest.mark.django_db
def test_new_plan_from_template(admin_client: Client, admin_user: User) -> None:
    url = reverse("admin:plans_plan_from_template")
    assert admin_client.get(url).status_code == 200
    assert "New plan from template" in admin_client.get(reverse("admin:plans_plan_changelist")).content.decode()
    response = admin_client.post(
        url,
        {
            "template": "heypeter-academy-lms",
            "name": "Spring launch",
            "slug": "",
            "t0": "2026-07-01T12:00",
            "timezone": "Europe/London",
        },
    )
    plan = Plan.objects.get(name="Spring launch")
    assert response.status_code == 302 and response["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])
    assert plan.t0 == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)  # 12:00 BST
    assert plan.timezone == "Europe/London" and plan.coordinator == admin_user
    assert plan.source_template == "heypeter-academy-lms" and plan.steps.count() > 10
    assert Event.objects.filter(plan=plan, kind="plan.imported", actor=admin_user).exists()


@pytest.mark.django_db
def test_new_plan_from_template_reports_a_taken_slug(admin_client: Client, template_plan: Plan) -> None:
    response = admin_client.post(
        reverse("admin:plans_plan_from_template"),
        {"template": "heypeter-academy-lms", "slug": template_plan.slug, "t0": "2026-07-01T12:00", "timezone": "UTC"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_changing_t0_in_the_admin_rebaselines(admin_user: User, template_plan: Plan) -> None:
    item = Item.objects.get(plan=template_plan, title="Provision production servers")
    assert item.due_at() == template_plan.t0 - timedelta(days=7)
    request = RequestFactory().post("/")
    request.user = admin_user
    plan = Plan.objects.get(pk=template_plan.pk)
    plan.t0 = plan.t0 + timedelta(days=2)
    admin.site._registry[Plan].save_model(request, plan, SimpleNamespace(changed_data=["t0"]), True)
    plan.refresh_from_db()
    assert plan.t0 == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    item.refresh_from_db()
    assert item.due_at() == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    event = Event.objects.get(plan=plan, kind="plan.rebaselined")
    assert event.actor == admin_user and "changed in the admin" in event.summary


def form_data(response: ClientResponse) -> dict:
    """The POST a browser would send for an admin change page, from its rendered forms."""
    data: dict = {}

    def add(form: BaseForm) -> None:
        for name, field in form.fields.items():
            bound = form[name]
            value = field.prepare_value(bound.value())
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.initial_forms:
            add(form)
    return data


@pytest.mark.django_db
def test_plan_change_form_posts_and_moving_t0_moves_everything(admin_client: Client, template_plan: Plan) -> None:
    url = reverse("admin:plans_plan_change", args=[template_plan.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    # Offsets are shown as the plan format writes them: in the phases' inputs and the steps' summary rows.
    assert re.search(r'name="phases-0-start_offset" value="T[-+]\w+"', html), html
    assert re.search(r'class="field-when">\s*<p>T-5h</p>', html)
    data = form_data(response)
    data["t0_0"], data["t0_1"] = "2026-12-02", "12:00:00"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    plan = Plan.objects.get(pk=template_plan.pk)
    assert plan.t0 == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    step = plan.steps.get(name="Database Migration")
    assert step.offset == timedelta(hours=-5) and step.planned_start == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    assert Event.objects.filter(plan=plan, kind="plan.rebaselined").count() == 1


@pytest.mark.django_db
def test_the_admin_does_not_move_an_ended_launchs_t0(admin_client: Client, template_plan: Plan) -> None:
    """An aborted launch's T-0 no longer moves (plans.services.plan_rebaseline refuses): the form says so on
    the field instead of failing in the save."""
    Plan.objects.filter(pk=template_plan.pk).update(status="aborted")
    url = reverse("admin:plans_plan_change", args=[template_plan.pk])
    data = form_data(admin_client.get(url))
    data["t0_0"], data["t0_1"] = "2026-12-02", "12:00:00"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "its T-0 no longer moves" in response.content.decode()
    assert Plan.objects.get(pk=template_plan.pk).t0 == template_plan.t0


@pytest.mark.django_db
def test_item_admin_takes_t_offsets(admin_client: Client, template_plan: Plan) -> None:
    item = Item.objects.get(plan=template_plan, title="Configure CDN")
    url = reverse("admin:checklists_item_change", args=[item.pk])
    data = form_data(admin_client.get(url))
    data["due_offset"] = "T-6d12h"
    assert admin_client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.due_offset == -timedelta(days=6, hours=12)
    data["due_offset"] = "next week"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "malformed offset" in response.content.decode()


@pytest.mark.django_db
def test_admin_text_takes_what_the_plan_format_takes(admin_client: Client, template_plan: Plan) -> None:
    """A tab pasted into a name, an escape in an item's notes, a line break in a subject, an ``extra`` the
    format would refuse: the admin refuses each with the reason (they saved, and then broke the export);
    line breaks and tabs stay allowed in multi-line text."""
    url = reverse("admin:plans_plan_change", args=[template_plan.pk])
    data = form_data(admin_client.get(url))
    for field, value, reason in (
        ("name", "Phone test\tEU", "a control character (U+0009) (a tab or a line break cannot be in a one-line"),
        ("summary", "Go\x0clive", "a control character (U+000C)"),
        ("extra", '{"n": 1e300}', "number 1e+300 is too large"),
        ("extra", "[" * 40 + "]" * 40, "nested more than 31 levels deep"),
    ):
        response = admin_client.post(url, {**data, field: value})
        assert response.status_code == 200, field
        assert reason in response.content.decode(), (field, value)
    assert Plan.objects.get(pk=template_plan.pk).name == template_plan.name
    data["t0_0"], data["t0_1"] = "2026-12-01", "12:00:00"
    saved = admin_client.post(url, {**data, "summary": "Line one\n\tindented"})
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    item = Item.objects.get(plan=template_plan, title="Configure CDN")
    item_url = reverse("admin:checklists_item_change", args=[item.pk])
    item_data = form_data(admin_client.get(item_url))
    response = admin_client.post(item_url, {**item_data, "notes": "see \x1b[31mred"})
    assert response.status_code == 200 and "U+001B" in response.content.decode()


@pytest.mark.django_db
def test_export_action_downloads_yaml_or_names_what_stops_it(admin_client: Client, template_plan: Plan) -> None:
    url = reverse("admin:plans_plan_changelist")
    action = {"action": "export_yaml", "_selected_action": [template_plan.pk]}
    response = admin_client.post(url, action)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    assert f"name: {template_plan.name}" in response.content.decode()
    Plan.objects.filter(pk=template_plan.pk).update(name="Phone test\tEU")  # saved before the bound existed
    refused = admin_client.post(url, action, follow=True)
    assert refused.status_code == 200 and refused["Content-Type"].startswith("text/html")
    said = [str(m) for m in refused.context["messages"]]
    with pytest.raises(CommandError, match=r"cannot be exported: name: contains a control character \(U\+0009\)"):
        call_command("export_plan", template_plan.slug, stdout=io.StringIO())
    assert said == [
        "Nothing exported; fix this in the admin first. “Phone test\tEU” "
        f"({template_plan.slug}) cannot be exported: name: contains a control character (U+0009); remove it"
    ]


@pytest.mark.django_db
def test_exporting_several_plans_gives_one_file_each_that_imports_back(
    admin_client: Client, template_plan: Plan
) -> None:
    """A plan file holds one plan: several plans come as a zip of one file each, and each imports back."""
    import zipfile

    other = import_plan_text(template_text("heypeter-academy-lms"), t0="2027-01-05T09:00", tz="UTC", slug="second")
    url = reverse("admin:plans_plan_changelist")
    response = admin_client.post(url, {"action": "export_yaml", "_selected_action": [template_plan.pk, other.pk]})
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="plans.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as zipped:
        files = {name: zipped.read(name).decode() for name in zipped.namelist()}
    assert sorted(files) == sorted([f"{template_plan.slug}.yaml", "second.yaml"])
    again = import_plan_text(files["second.yaml"], t0="2027-01-05T09:00", tz="UTC", slug="second-again")
    assert again.steps.count() == other.steps.count() and again.name == other.name


@pytest.mark.django_db
def test_view_on_site_opens_the_page_of_what_is_edited(admin_client: Client, template_plan: Plan) -> None:
    """The admin's "View on site" goes straight to the page of the plan, role, gate, step, issue, metric or message
    being edited
    (an admin who fixed a role's backup checks the role page; there was no such link)."""
    from issues.services import issue_open
    from roles.models import Role

    admin_user = admin_client.get(reverse("admin:index")).wsgi_request.user
    role = Role.objects.filter(plan=template_plan).order_by("order").first()
    assert role is not None
    issue = issue_open(template_plan, by=admin_user, title="Slow login", severity="low")  # type: ignore[arg-type]
    gate, step = template_plan.gates.get(), template_plan.steps.order_by("offset").first()
    metric, message = template_plan.metrics.first(), template_plan.messages.first()
    assert step is not None and metric is not None and message is not None
    slug = template_plan.slug
    cases = [
        ("plans_plan", template_plan.pk, f"/plans/{slug}/"),
        ("roles_role", role.pk, f"/plans/{slug}/roles/{role.slug}/"),
        ("checklists_gate", gate.pk, f"/plans/{slug}/gates/{gate.slug}/"),
        ("plans_step", step.pk, f"/plans/{slug}/steps/{step.pk}/"),
        ("issues_issue", issue.pk, f"/plans/{slug}/issues/{issue.number}/"),
        ("plans_successmetric", metric.pk, f"/plans/{slug}/metrics/{metric.pk}/readings/"),
        ("communications_message", message.pk, f"/plans/{slug}/communications/messages/{message.pk}/preview/"),
    ]
    for name, pk, page in cases:
        body = admin_client.get(reverse(f"admin:{name}_change", args=[pk])).content.decode()
        assert f'href="{page}" class="viewsitelink"' in body, name
        assert admin_client.get(page).status_code == 200, page
