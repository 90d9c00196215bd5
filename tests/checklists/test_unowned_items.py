from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import PermissionDenied

from checklists.models import ItemStatus
from checklists.services import item_tick
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_an_item_with_no_owner_role_belongs_to_the_coordinator(plan: Plan, coordinator: User) -> None:
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=None, owner_role=None)
    someone = factories.UserFactory()
    with pytest.raises(PermissionDenied, match="no owner role"):
        item_tick(item, by=someone)
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN

    item_tick(item, by=coordinator)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert item.done_by == coordinator
