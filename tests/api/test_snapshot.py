"""The API tests' snapshot (tests/api/conftest.py): what a refused call is checked against."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.api.conftest import snapshot
from tests.endpoints import World

pytestmark = pytest.mark.django_db


def _changed(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def test_the_snapshot_sees_a_change_to_any_column_of_any_row_but_a_tokens_last_use(world: World) -> None:
    from api.models import ApiToken
    from checklists.models import Item
    from plans.models import Event

    before = snapshot()
    Item.objects.filter(pk=world.item.pk).update(title="Backup verified twice")
    assert _changed(before, snapshot()) == ["checklists.Item"]
    before = snapshot()
    Event.objects.create(plan=world.plan, kind="test.probe")
    assert _changed(before, snapshot()) == ["plans.Event"]
    before = snapshot()
    world.message.channels.clear()
    assert _changed(before, snapshot()) == ["communications.Message_channels"]
    before = snapshot()
    world.users["stranger"].is_active = False
    world.users["stranger"].save(update_fields=["is_active"])
    assert _changed(before, snapshot()) == ["users"]
    before = snapshot()
    ApiToken.objects.filter(pk=world.api_token.pk).update(last_used_at=timezone.now())
    assert _changed(before, snapshot()) == []
    ApiToken.objects.filter(pk=world.api_token.pk).update(name="Renamed")
    assert _changed(before, snapshot()) == ["api.ApiToken"]
