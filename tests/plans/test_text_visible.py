"""Text that shows something other than what it holds: text-direction controls (U+202E reverses the page's
own text after it), line and paragraph separators in one-line names, names made only of invisible
characters (zero-width spaces show as a blank). Refused, or made empty so a required value says it is
missing, wherever text is cleaned: the plan file, the services, the forms and the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from issues import services as issue_services
from issues.models import Issue
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from plans.models import Plan
from plans.runbook.values import placeholder_value
from plans.validators import BoundsError, clean_text
from roles.models import Role
from tests import factories
from tests.plans.format_samples import SMALL
from tests.test_admin import form_data

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI)
def test_text_direction_controls_are_refused_in_one_line_and_long_text(char: str) -> None:
    for multiline in (False, True):
        with pytest.raises(BoundsError, match=rf"Title: contains a text-direction control \(U\+{ord(char):04X}\)"):
            clean_text(f"Checkout {char}evlos down", max_length=200, multiline=multiline, field="Title")


def test_marks_joiners_and_emoji_sequences_stay_allowed() -> None:
    for text in ("\u200fשלום\u200e v2", "Team 👩\u200d💻", "🏳️\u200d🌈 launch"):
        assert clean_text(text, max_length=200) == text


@pytest.mark.parametrize("char", ["\u2028", "\u2029"])
def test_line_and_paragraph_separators_are_line_breaks(char: str) -> None:
    with pytest.raises(BoundsError, match=rf"Name: contains a line break \(U\+{ord(char):04X}\)"):
        clean_text(f"Launch{char}day", max_length=200, field="Name")
    assert clean_text(f"one{char}two", max_length=200, multiline=True) == f"one{char}two"


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200b", " \u200c\u200d\ufeff ", "\u2060\u00a0", "\u3164"])
def test_invisible_only_text_is_empty(text: str) -> None:
    assert clean_text(text, max_length=200) == ""
    assert clean_text(f"a{text}b", max_length=200) == f"a{text}b".strip()
    assert placeholder_value("text", text) == ""  # a placeholder so filled is still unfilled


BLANK_ROLE = """\
name: Blank role
roles:
  - name: "\\u200b"
    slug: zw
phases:
  - name: P
    steps:
      - {name: S1, at: T+0, lead: "\\u200b"}
checklists:
  - {name: C, role: "\\u200b", items: [{title: I1, due: T-1h}]}
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    return exc.value.lines()


@pytest.mark.django_db
def test_the_plan_file_refuses_them_once_each() -> None:
    reversed_name = SMALL.replace("name: Small launch", 'name: "Launch \\u202egnp.exe"')
    assert _errors(reversed_name) == [
        "plan.yaml:2: name: contains a text-direction control (U+202E), which would reverse the text shown "
        "after it; remove it"
    ]
    separated = SMALL.replace("name: Small launch", 'name: "Small\\u2028launch"')
    assert _errors(separated) == ["plan.yaml:2: name: contains a line break (U+2028); remove it"]
    assert _errors(BLANK_ROLE) == [
        "plan.yaml:3: roles[0].name: has no visible characters (only spaces or invisible characters); type a name"
    ]  # and the references to it are not called unknown
    blank_item = SMALL.replace("title: Backup verified", 'title: "\\u200b"')
    lines = _errors(blank_item)
    assert len(lines) == 1 and "items[0].title: has no visible characters" in lines[0]
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_raise_issue_refuses_a_reversing_or_blank_title(client: Client, plan: Plan) -> None:
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", primary=owner)
    with pytest.raises(BoundsError, match="text-direction control"):
        issue_services.issue_open(plan, by=owner, title="Checkout \u202eevlos\u202c down", severity="high")
    with pytest.raises(Exception, match="An issue needs a title"):
        issue_services.issue_open(plan, by=owner, title="\u200b\u200b", severity="high")
    client.force_login(owner)
    url = reverse("issues:list", args=[plan.slug])
    for title, says in (("Checkout \u202eevlos\u202c down", "text-direction control"), ("\u200b", "needs a title")):
        response = client.post(url, {"title": title, "severity": "high", "owner_role": role.pk, "description": ""})
        assert response.status_code in (200, 400) and says in response.content.decode(), title
    assert not Issue.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_them(admin_client: Client, admin_user: User) -> None:
    plan = import_plan_text(SMALL, filename="small.yaml", t0="2026-12-01T12:00", tz="UTC", coordinator=admin_user)
    role = Role.objects.get(plan=plan, name="DBA")
    url = reverse("admin:roles_role_change", args=[role.pk])
    data = form_data(admin_client.get(url))
    for value, says in (
        ("\u200b\u200b", "This field is required."),
        ("DBA \u202eteam", "Contains a text-direction control (U+202E)"),
        ("DBA\u2029team", "Contains a line break (U+2029) (a tab or a line break cannot be in a one-line field)"),
    ):
        response = admin_client.post(url, {**data, "name": value})
        assert response.status_code == 200 and says in response.content.decode(), value
    assert Role.objects.get(pk=role.pk).name == "DBA"


@pytest.mark.django_db
def test_the_admin_import_form_takes_an_invisible_name_as_none_and_refuses_a_reversing_file(
    admin_client: Client,
) -> None:
    def post(content: str, name: str) -> str:
        upload = SimpleUploadedFile("launch.yaml", content.encode(), "application/yaml")
        data = {"t0": "2026-07-01T12:00", "timezone": "UTC", "name": name, "slug": "", "file": upload}
        response = admin_client.post(reverse("admin:plans_plan_from_file"), data)
        return response.content.decode()

    page = post(SMALL.replace("name: Small launch", 'name: "Launch \\u202egnp.exe"'), "")
    assert "launch.yaml:2: name: contains a text-direction control (U+202E)" in page
    assert not Plan.objects.exists()
    post(SMALL, "\u200b\u200b")
    assert Plan.objects.get().name == "Small launch"  # the field left (visibly) empty: the file's name
