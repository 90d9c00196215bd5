"""A plan file naming a deactivated account as a role's primary or backup, or on its rota, is refused at its
line, as the "Assign people" screen refuses one (roles.services.role_assign_people): `manage.py import_plan`
prints `error: FILE:LINE: …`, the admin's "Import a plan file" lists it, and nothing is saved. So is a
deactivated account given as `import_plan --coordinator` (routes' people: tests/communications/routes)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from plans.models import Plan
from tests import factories
from tests.issue16.helpers import PLAN as ROTA_PLAN
from tests.issue16.helpers import people as rota_people
from tests.plans.format_samples import SMALL
from tests.plans.test_format import import_errors, replace, row_counts

from .test_plan_file_errors import run_import

pytestmark = pytest.mark.django_db

INACTIVE = "plan.yaml:8: user 'dana' for role 'Technical Lead': the account is inactive: choose an active user"


@pytest.fixture
def dana(db: None) -> User:
    return factories.UserFactory(username="dana", is_active=False)


def test_an_inactive_primary_is_refused_at_its_line(dana: User) -> None:
    text = replace(SMALL, "    primary: null", "    primary: dana")
    assert import_errors(text) == [INACTIVE]
    # an unknown user is still called unknown
    assert import_errors(replace(SMALL, "    primary: null", "    primary: ghost")) == [
        "plan.yaml:8: unknown user 'ghost' for role 'Technical Lead'"
    ]


def test_an_inactive_backup_is_refused_too(dana: User) -> None:
    factories.UserFactory(username="olu")
    text = replace(SMALL, "    primary: null", "    primary: olu\n    backup: dana")
    assert import_errors(text) == [
        "plan.yaml:9: user 'dana' for role 'Technical Lead': the account is inactive: choose an active user"
    ]


def test_the_command_prints_it_as_an_error_line(dana: User, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(replace(SMALL, "    primary: null", "    primary: dana"))
    before = row_counts()
    code, lines = run_import(path)
    assert code == 1 and row_counts() == before
    assert lines == [
        f"error: {path}:8: user 'dana' for role 'Technical Lead': the account is inactive: choose an active user"
    ]


def test_an_inactive_coordinator_is_refused(dana: User, tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(SMALL)
    before = row_counts()
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "import_plan", str(path), "--t0", "2026-12-01T12:00", "--tz", "UTC", "--coordinator", "dana",
            stdout=StringIO(), stderr=err,
        )  # fmt: skip
    assert exc.value.code == 1 and row_counts() == before
    assert err.getvalue().splitlines() == [
        f"error: {path}: --coordinator: user 'dana': the account is inactive: choose an active user"
    ]
    dana.is_active = True  # the same account, active: it coordinates the plan
    dana.save(update_fields=["is_active"])
    call_command(
        "import_plan", str(path), "--t0", "2026-12-01T12:00", "--tz", "UTC", "--coordinator", "dana",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert Plan.objects.get(name="Small launch").coordinator == dana


def test_an_inactive_person_on_a_rota_is_refused() -> None:
    rota_people()
    User.objects.filter(username="carol").update(is_active=False)
    from launch.format.loader import PlanFormatError
    from launch.services.importer import import_plan_text

    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(ROTA_PLAN, t0="2026-12-05T12:00", tz="UTC", filename="r.yaml")
    assert exc.value.lines() == [
        "r.yaml:20: user 'carol' on the rota of role 'Support Lead': the account is inactive: choose an active user"
    ]


def test_the_admin_import_refuses_it(admin_client: Client, dana: User) -> None:
    content = replace(SMALL, "    primary: null", "    primary: dana").encode()
    data = {"t0": "2026-07-01T12:00", "timezone": "Europe/London", "name": "", "slug": ""}
    upload = SimpleUploadedFile("launch.yaml", content, "application/yaml")
    response = admin_client.post(reverse("admin:plans_plan_from_file"), {**data, "file": upload})
    assert response.status_code == 200
    assert "launch.yaml:8: user &#x27;dana&#x27; for role &#x27;Technical Lead&#x27;: the account is inactive" in (
        response.content.decode()
    )
    assert not Plan.objects.filter(name="Small launch").exists()
