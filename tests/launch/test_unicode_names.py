"""Role and gate names in any script (``日本語チーム``, ``עברית``, ``🔥``): slugify keeps Latin letters and
digits only, and so do the pages' addresses, so such a name gets ``role-N``/``gate-N`` by its place in the
file; each mistake is reported once (a clash with that address is one duplicate, not also one per name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from checklists.models import Gate
from launch.format import normalise, parse_plan_text
from launch.format.exporter import export_plan
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from readiness.models import Track
from roles.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

EMOJI = """\
format: 1
name: "🚀🚀"
roles:
  - name: "🔥"
  - name: "日本語チーム"
  - name: "עברית"
  - name: Ops
gates:
  - name: "✅"
training:
  - audience: "サポートチーム"
  - audience: Ops team
"""


def test_names_in_any_script_get_a_working_address(client: Client, admin_user: User) -> None:
    plan = import_plan_text(EMOJI, filename="emoji.yaml", t0="2026-12-01T12:00", tz="UTC", coordinator=admin_user)
    roles = dict(Role.objects.filter(plan=plan).values_list("name", "slug"))
    assert roles == {"🔥": "role-1", "日本語チーム": "role-2", "עברית": "role-3", "Ops": "ops"}
    assert Gate.objects.get(plan=plan).slug == "gate-1"
    client.force_login(admin_user)
    page = client.get(reverse("checklists:role", args=[plan.slug, "role-2"]))
    assert page.status_code == 200 and "日本語チーム" in page.content.decode()
    assert client.get(reverse("checklists:gate", args=[plan.slug, "gate-1"])).status_code == 200
    assert dict(Track.objects.filter(plan=plan).values_list("name", "slug")) == {
        "サポートチーム": "track-1",
        "Ops team": "ops-team",
    }
    track = client.get(reverse("readiness:track", args=[plan.slug, "track-1"]))
    assert track.status_code == 200 and "サポートチーム" in track.content.decode()
    exported = export_plan(plan)
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(EMOJI).doc)


def test_a_clash_with_the_made_address_is_one_mistake() -> None:
    text = EMOJI.replace("  - name: Ops\n", "  - name: Ops\n    slug: role-2\n")
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="emoji.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert exc.value.lines() == ["emoji.yaml:8: duplicate role slug 'role-2'"]


SEPARATED = """\
format: 1
name: Separated words
roles:
  - name: QA/Release
  - name: Ops|Support
gates:
  - name: Go/No-Go
"""


def test_a_slash_between_words_is_a_hyphen_in_the_address(client: Client, admin_user: User) -> None:
    """The gate "Go/No-Go" was at `/gates/gono-go/` (slugify drops the slash and joins the words): a separator is a
    hyphen, as a space is. The file exported from the plan reads as the one imported."""
    plan = import_plan_text(SEPARATED, filename="sep.yaml", t0="2026-12-01T12:00", tz="UTC", coordinator=admin_user)
    assert set(Role.objects.filter(plan=plan).values_list("slug", flat=True)) == {"qa-release", "ops-support"}
    assert Gate.objects.get(plan=plan).slug == "go-no-go"
    client.force_login(admin_user)
    assert client.get(reverse("checklists:gate", args=[plan.slug, "go-no-go"])).status_code == 200
    assert normalise(parse_plan_text(export_plan(plan)).doc) == normalise(parse_plan_text(SEPARATED).doc)
