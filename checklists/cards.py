"""The home page's cards: the roles a person holds, each with its open and done items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.selectors import my_roles
from roles.models import Role

from .models import Item
from .series.state import role_series_counts

if TYPE_CHECKING:
    from plans.permissions import Viewer


def my_role_cards(user: Viewer) -> list[Role]:
    """The roles a person holds, each with counts of open and done items (2 queries)."""
    roles = list(my_roles(user))
    if not roles:
        return []
    ids = [r.pk for r in roles]
    counts = (
        Item.objects.annotate(role_key=Coalesce("owner_role_id", "checklist__role_id"))
        .filter(role_key__in=ids)
        .values("role_key")
        .annotate(
            open=Count("id", filter=Q(status="open", recurrence__isnull=True)),
            done=Count("id", filter=~Q(status="open") & Q(recurrence__isnull=True)),  # done or skipped
            total=Count("id"),
            recurring=Count("recurrence"),
        )
    )
    by_role = {c["role_key"]: c for c in counts}
    # A recurring item counts by its current occurrence, not its own (never ticked) status: 2 more queries,
    # only when a role has one.
    series = role_series_counts(ids, now=timezone.now()) if any(c["recurring"] for c in by_role.values()) else {}
    for role in roles:
        c: Any = by_role.get(role.pk) or {}
        s_open, s_done = series.get(role.pk, (0, 0))
        role.open_items, role.done_items = c.get("open", 0) + s_open, c.get("done", 0) + s_done  # type: ignore[attr-defined]
        role.total_items = c.get("total", 0)  # type: ignore[attr-defined]
    return roles
