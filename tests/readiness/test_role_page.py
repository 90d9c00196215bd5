"""Readiness on the role page (issue 13): a role's readiness items in their own section, ticked there by the
role's primary or backup through readiness.services (403 for another role's holder), and the trainings the
role leads or gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from plans.models import Event
from readiness.models import ReadinessItem

from .world import RWorld, build

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RWorld:
    return build()


def _role_url(w: RWorld, slug: str) -> str:
    return reverse("checklists:role", args=[w.plan.slug, slug])


def _set_url(w: RWorld, slug: str, item: ReadinessItem) -> str:
    return reverse("checklists:readiness_set", args=[w.plan.slug, slug, item.pk])


def test_the_role_page_shows_its_readiness_items_and_trainings(w: RWorld, client: Client) -> None:
    client.force_login(w.people["Support Lead"])
    html = client.get(_role_url(w, "support-lead")).content.decode()
    assert 'id="readiness"' in html and "Support rota staffed" in html
    assert "Runbooks read" not in html  # the Launch Lead's item, not this role's
    item = ReadinessItem.objects.get(title="Support rota staffed")
    assert _set_url(w, "support-lead", item) in html and "0 of 1 done" in html
    assert "Support team</a> training" in html and "this role leads it" in html
    assert "Trains Support intensive · T-2d" in html and "Room 2" in html
    # The Instructor Lead trains a session of a track it does not lead; it has no readiness items.
    html = client.get(_role_url(w, "instructor-lead")).content.decode()
    assert "Instructors</a> training" in html and "this role leads it" not in html
    assert "Trains Instructor workshop" in html and "of 1 done" not in html
    html = client.get(_role_url(w, "training-manager")).content.decode()
    assert 'Instructors</a> training <span class="muted">· this role leads it' in html
    # The page of work no role owns has no readiness section.
    assert 'id="readiness"' not in client.get(_role_url(w, "_unowned")).content.decode()


def test_a_holder_ticks_their_item_on_the_role_page_with_htmx(w: RWorld, client: Client) -> None:
    item = ReadinessItem.objects.get(title="Support rota staffed")
    ReadinessItem.objects.filter(pk=item.pk).update(note="Rota in the shared drive")  # (test set-up)
    client.force_login(w.people["Support Lead"])
    response = client.post(_set_url(w, "support-lead", item), {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="ritem-{item.pk}"' in html and 'data-action="readiness-untick"' in html
    assert 'id="readiness-count" hx-swap-oob="true">1 of 1 done' in html
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == w.people["Support Lead"]
    assert item.note == "Rota in the shared drive"  # ticking keeps the note
    assert Event.objects.filter(plan=w.plan, kind="readiness.item_set", data__item=item.pk).count() == 1
    # The same state again (a double click) records nothing more; then it is unticked without htmx.
    client.post(_set_url(w, "support-lead", item), {"done": "1"}, headers={"HX-Request": "true"})
    assert Event.objects.filter(plan=w.plan, kind="readiness.item_set").count() == 1
    response = client.post(_set_url(w, "support-lead", item), {"done": "0"})
    assert response.status_code == 302 and response["Location"].endswith(f"#ritem-{item.pk}")
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None
    # Counted on the readiness summary.
    client.post(_set_url(w, "support-lead", item), {"done": "1"}, headers={"HX-Request": "true"})
    html = client.get(reverse("readiness:summary", args=[w.plan.slug])).content.decode()
    assert "readiness items done: <strong>1/2</strong>" in html


def test_another_roles_holder_may_not_tick_it(w: RWorld, client: Client) -> None:
    item = ReadinessItem.objects.get(title="Support rota staffed")
    client.force_login(w.people["Launch Lead"])
    html = client.get(_role_url(w, "support-lead")).content.decode()
    assert "Support rota staffed" in html and _set_url(w, "support-lead", item) not in html  # read-only
    response = client.post(_set_url(w, "support-lead", item), {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.done_at is None and not Event.objects.filter(kind="readiness.item_set").exists()
    # Nor through another role's page: the item is not on it (404), whoever asks.
    client.force_login(w.people["coordinator"])
    assert client.post(_set_url(w, "launch-lead", item), {"done": "1"}).status_code == 404
    assert client.post(_set_url(w, "_unowned", item), {"done": "1"}).status_code == 404
    client.force_login(w.people["stranger"])  # not a member of the plan
    assert client.post(_set_url(w, "support-lead", item), {"done": "1"}).status_code in (403, 404)
    item.refresh_from_db()
    assert item.done_at is None
