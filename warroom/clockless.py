"""The board of a clockless plan (no T-0): its open items, late ones first, then in checklist order. An item
is late from its absolute due date (``Item.due_by``, plans.duedates), the one meaning of late."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from checklists.models import Item, ItemStatus
from launchcontrol.dates import day_text, moment_text
from plans.models import Plan

if TYPE_CHECKING:
    from .selectors import Entry

NEXT_ROWS = 11


def due_short(plan: Plan, due_by: datetime | None, all_day: bool) -> str:
    """A due date short enough for the board's time column: ``1 Dec`` (by the end of it), ``27 Nov 17:00``."""
    if due_by is None:
        return ""
    local = timezone.localtime(due_by - timedelta(hours=12) if all_day else due_by, plan.zone)
    return day_text(local, weekday=False) if all_day else moment_text(local, weekday=False, zone=False)


def open_entries(plan: Plan, now: datetime) -> tuple[list[Entry], int, int]:
    """A clockless plan's open items, late ones first (oldest due first), then in checklist order; how many
    are late, how many are open (two queries)."""
    open_items = Item.objects.filter(plan=plan, status=ItemStatus.OPEN)
    late = Q(due_by__lt=now)
    rows = (
        open_items.annotate(late=Case(When(late, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("late", F("due_by").asc(nulls_last=True), "checklist__order", "order", "id")
        .values_list("title", "owner_role__name", "checklist__role__name", "due_by", "due_all_day", "late")[:NEXT_ROWS]
    )
    from .selectors import Entry

    entries = [
        Entry("item", t, owner or role or "", due, None, rank == 0, label=due_short(plan, due, all_day))
        for t, owner, role, due, all_day, rank in rows
    ]
    counts = open_items.aggregate(total=Count("id"), late=Count("id", filter=late))
    return entries, counts["late"], counts["total"]
