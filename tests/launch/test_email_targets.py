"""An e-mail channel's target is a list of e-mail addresses: ``not an email`` was accepted (in the plan file
and the admin) while contact and role e-mails were checked, and failed only when a message was sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from communications.models import Channel, ChannelKind
from launch.services.importer import import_plan_text
from tests.launch.test_plan_file_errors import errors
from tests.plans.format_samples import SMALL
from tests.test_admin import form_data

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

WHY = "is not an e-mail address (an e-mail channel's target is one or more addresses separated by commas)"


def plan_with_email(target: str) -> str:
    return f"name: Mail\nchannels:\n  - name: Staff\n    kind: email\n    target: {target}\n"


@pytest.mark.parametrize(
    ("target", "bad"), [("not an email", "not an email"), ("ops@example.com, nobody", "nobody"), ("a@b@c", "a@b@c")]
)
def test_an_email_channel_to_no_address_is_an_import_error(target: str, bad: str) -> None:
    assert errors(plan_with_email(target)) == [f"plan.yaml:5: channels[0].target: {bad!r} {WHY}"]


def test_addresses_separated_by_commas_or_semicolons_import() -> None:
    plan = import_plan_text(plan_with_email("ops@example.com; dba@example.com"), t0="2026-12-01T12:00", tz="UTC")
    assert Channel.objects.get(plan=plan).target == "ops@example.com; dba@example.com"


def test_the_admin_refuses_it(admin_client: Client, admin_user: User) -> None:
    plan = import_plan_text(SMALL, t0="2026-12-01T12:00", tz="UTC", coordinator=admin_user)
    channel = Channel.objects.get(plan=plan, kind=ChannelKind.EMAIL)
    url = reverse("admin:communications_channel_change", args=[channel.pk])
    response = admin_client.post(url, {**form_data(admin_client.get(url)), "target": "not an email"})
    assert response.status_code == 200
    assert "&#x27;not an email&#x27; is not an e-mail address" in response.content.decode()
    channel.refresh_from_db()
    assert channel.target == "staff@example.com"
