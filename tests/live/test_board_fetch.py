"""A fetch the push channel triggered is never answered from the board's revision micro-cache when that
holds an older revision: the page sends the announced revision (X-Live-Revision, static/js/live.js)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.db.models import F
from django.urls import reverse

from plans.models import Plan
from tests import factories
from warroom import views

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import Settings


@pytest.fixture(autouse=True)
def micro_cache(settings: Settings) -> Iterator[None]:
    settings.WARROOM_REVISION_TTL = 3600  # the remembered revision never expires during the test
    views._REVISIONS.clear()
    yield
    views._REVISIONS.clear()


def test_an_announced_revision_bypasses_the_remembered_one(client: Client, db: None) -> None:
    viewer = factories.UserFactory()
    plan = factories.PlanFactory()
    client.force_login(viewer)
    page = client.get(reverse("warroom:board", args=[plan.slug]))
    url = page.context["poll_url"]
    first = client.get(url)
    assert first.status_code == 200
    old = first["ETag"]
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)  # a write in another process
    assert client.get(url, headers={"If-None-Match": old}).status_code == 304  # the remembered revision
    pushed = client.get(url, headers={"If-None-Match": old, "X-Live-Revision": str(plan.revision + 1)})
    assert pushed.status_code == 200
    assert pushed["ETag"].split(".")[1] == str(plan.revision + 1)
