"""A plan file's webhook channel is refused at import when its target is one the sender would refuse (a
private address, not http(s)), with `error: FILE:LINE:`, exit 1, nothing saved."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from communications.models import Channel
from launch.services.importer import import_plan_text
from tests.launch.test_plan_file_errors import errors
from tests.plans.test_format import row_counts


def plan_with_webhook(target: str) -> str:
    return f"name: Hooks\nchannels:\n  - name: Ops hook\n    kind: webhook\n    target: {target}\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://127.0.0.1:8000/hook", "loopback address (127.0.0.1); set WEBHOOK_ALLOW_PRIVATE=true"),
        ("https://10.1.2.3/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data", "a link-local address"),
        ("ftp://example.com/hook", "Only http:// and https:// targets are allowed"),
    ],
)
def test_a_webhook_to_a_refused_target_is_an_import_error(target: str, why: str) -> None:
    [line] = errors(plan_with_webhook(target))
    assert line.startswith("plan.yaml:5: channels[0].target: ")
    assert why in line


@pytest.mark.django_db
def test_every_refused_webhook_is_reported_with_the_other_problems() -> None:
    text = plan_with_webhook("http://127.0.0.1/a") + "  - {name: Second, kind: webhook, target: 'http://[::1]/b'}\n"
    text += "roles:\n  - name: Lead\nsteps:\n  - {name: Go, at: T+0, lead: Nobody}\n"
    lines = errors(text)
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["plan.yaml:5", "channels[0].target"],
        ["plan.yaml:6", "channels[1].target"],
        ["plan.yaml:10", "unknown role 'Nobody'"],
    ]


@pytest.mark.django_db
def test_the_command_refuses_it_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hooks.yaml"
    path.write_text(plan_with_webhook("http://192.168.0.10/hook"))
    before = row_counts()
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_plan", str(path), "--t0", "2026-12-01T12:00", "--tz", "UTC", stdout=StringIO(), stderr=err)
    assert exc.value.code == 1
    assert err.getvalue().startswith(f"error: {path}:5: channels[0].target: ")
    assert "a private address" in err.getvalue()
    assert row_counts() == before


@pytest.mark.django_db
def test_public_targets_and_private_ones_when_allowed_are_imported(settings: Settings) -> None:
    plan = import_plan_text(plan_with_webhook("https://93.184.216.34/hook"), t0="2026-12-01T12:00", tz="UTC")
    assert Channel.objects.get(plan=plan).target == "https://93.184.216.34/hook"
    settings.WEBHOOK_ALLOW_PRIVATE = True
    plan = import_plan_text(plan_with_webhook("http://10.1.2.3/hook"), t0="2026-12-01T12:00", tz="UTC")
    assert Channel.objects.get(plan=plan).target == "http://10.1.2.3/hook"
