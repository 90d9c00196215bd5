"""The board of a clockless plan (no T-0): its open items in checklist order instead of what is due."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checklists.models import Item, ItemStatus
from plans.models import Plan

if TYPE_CHECKING:
    from .selectors import Entry

NEXT_ROWS = 11


def open_entries(plan: Plan) -> tuple[list[Entry], int, int]:
    """A clockless plan's open items in checklist order: nothing is late without a clock (two queries)."""
    open_items = Item.objects.filter(plan=plan, status=ItemStatus.OPEN)
    rows = open_items.order_by("checklist__order", "order", "id").values_list(
        "title", "owner_role__name", "checklist__role__name"
    )[:NEXT_ROWS]
    from .selectors import Entry

    entries = [Entry("item", t, owner or role or "", None, None, False) for t, owner, role in rows]
    return entries, 0, open_items.count()
