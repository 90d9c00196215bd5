"""The Plan admin's "Import a plan file": a plan-format file uploaded with its T-0 and zone becomes a plan, as
``manage.py import_plan`` would make it, with the uploader as its coordinator; a file with mistakes lists every
one with its line and saves nothing; a file that is not text, or too large, is refused in words; only staff
who may add plans reach it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from plans.models import Event, Plan
from tests.plans.format_samples import SMALL
from tests.plans.test_format import row_counts

from .test_plan_file_errors import THREE_MISTAKES

pytestmark = pytest.mark.django_db

URL = "admin:plans_plan_from_file"


def _post(client: Client, content: bytes, name: str = "launch.yaml", **fields: str) -> tuple[int, str]:
    data = {"t0": "2026-07-01T12:00", "timezone": "Europe/London", "name": "", "slug": "", **fields}
    response = client.post(reverse(URL), {**data, "file": SimpleUploadedFile(name, content, "application/yaml")})
    return response.status_code, response.get("Location", "") or response.content.decode()


def test_a_plan_file_becomes_a_plan_coordinated_by_whoever_imported_it(admin_client: Client, admin_user: User) -> None:
    changelist = admin_client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "Import a plan file" in changelist and reverse(URL) in changelist
    page = admin_client.get(reverse(URL)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page

    code, where = _post(admin_client, SMALL.encode(), name="small.yaml")
    plan = Plan.objects.get(name="Small launch")
    assert code == 302 and where == reverse("admin:plans_plan_change", args=[plan.pk])
    assert plan.t0 == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)  # 12:00 in London (summer time)
    assert plan.timezone == "Europe/London" and plan.coordinator == admin_user
    event = Event.objects.get(plan=plan, kind="plan.imported")
    assert event.actor == admin_user and event.summary == "Plan created from small.yaml"
    follow = admin_client.get(where).content.decode()
    assert "Plan “Small launch” imported from small.yaml, T-0 1 Jul 2026 12:00 BST." in follow


def test_every_mistake_is_listed_with_its_line_and_nothing_is_saved(admin_client: Client) -> None:
    before = row_counts()
    code, page = _post(admin_client, THREE_MISTAKES.encode(), name="three.yaml")
    assert code == 200 and row_counts() == before
    assert "three.yaml:8: phases[0].steps[0].at: malformed offset" in page
    assert "three.yaml:13: unknown role" in page
    assert "three.yaml:14: dependency cycle: Backup -&gt; Restore -&gt; Backup" in page
    assert "choose it again" in page


@pytest.mark.parametrize(
    ("content", "fields", "says"),
    [
        (b"x: [unclosed", {}, "bad.yaml:1: invalid YAML"),
        ("name: Latin-1 café".encode("latin-1"), {}, "UTF-8"),
        (SMALL.encode(), {"t0": ""}, "T-0: T-0 is required"),
        (SMALL.encode(), {"t0": "next tuesday"}, "Enter a valid date/time."),
        (SMALL.encode(), {"slug": "Not A Slug"}, "Enter a valid “slug”"),
    ],
)
def test_a_bad_file_or_field_is_refused_in_words(
    admin_client: Client, content: bytes, fields: dict[str, str], says: str
) -> None:
    before = row_counts()
    code, page = _post(admin_client, content, name="bad.yaml", **fields)
    assert code == 200 and says in page and row_counts() == before


def test_a_file_over_the_limit_is_refused(admin_client: Client, settings: object) -> None:
    settings.PLAN_FILE_MAX_BYTES = 2048  # type: ignore[attr-defined]
    code, page = _post(admin_client, SMALL.encode() + b"#" * 4096)
    assert code == 200 and "larger than" in page and not Plan.objects.exists()


def test_the_uploaded_name_is_only_its_last_printable_part(admin_client: Client) -> None:
    code, _ = _post(admin_client, SMALL.encode(), name="..\\evil\x07/../launch\u202e.yaml")
    assert code == 302
    assert Event.objects.get(kind="plan.imported").summary == "Plan created from launch.yaml"


def test_only_staff_who_may_add_plans_import() -> None:
    client = Client()
    assert client.get(reverse(URL)).status_code == 302  # to the admin's sign-in
    staff = User.objects.create_user("viewer", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_plan"))
    client.force_login(staff)
    assert client.get(reverse(URL)).status_code == 403
    assert _post(client, SMALL.encode())[0] == 403 and not Plan.objects.exists()
