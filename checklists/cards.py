"""The home page's cards: the roles a person holds, each with its open, done and late items; the plans a person
coordinates, each with its items done and late."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.lateness import item_late_q
from plans.models import Plan
from plans.selectors import my_roles
from roles.models import Role

from .models import Item
from .series.state import plan_series_late, role_series_counts

if TYPE_CHECKING:
    from plans.permissions import Viewer


def my_role_cards(user: Viewer) -> list[Role]:
    """The roles a person holds, each with counts of open, done and late items (2 queries)."""
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
            late=Count("id", filter=late_now({r.plan for r in roles}, timezone.now())),
        )
    )
    by_role = {c["role_key"]: c for c in counts}
    # A recurring item counts by its current occurrence, not its own (never ticked) status: 2 more queries,
    # only when a role has one.
    series = role_series_counts(ids, now=timezone.now()) if any(c["recurring"] for c in by_role.values()) else {}
    for role in roles:
        c: Any = by_role.get(role.pk) or {}
        s_open, s_done, s_late = series.get(role.pk, (0, 0, 0))
        role.open_items, role.done_items = c.get("open", 0) + s_open, c.get("done", 0) + s_done  # type: ignore[attr-defined]
        role.total_items = c.get("total", 0)  # type: ignore[attr-defined]
        role.late_items = c.get("late", 0) + s_late  # type: ignore[attr-defined]
    return roles


def late_now(plans: Iterable[Plan], now: datetime) -> Q:
    """Open one-off items late at ``now`` (plans.lateness: from their due time on), each on its own plan's clock:
    one condition for items of several plans, so that one query counts them all."""
    late = Q(pk__isnull=True)  # never true: a plan whose dates are out of range has nothing late
    for plan in plans:
        if plan.dates_in_range:
            late |= Q(plan=plan) & item_late_q(plan, now)
    return Q(status="open", recurrence__isnull=True) & late


def plan_cards(plans: list[Plan]) -> list[Plan]:
    """The plans a person coordinates, each with its checklist items done (or skipped), all, and late now, as on
    the plan page's head and the board (1 query; 3 when one of them has recurring items)."""
    now = timezone.now()
    counts: dict[int, Any] = {
        c["plan_id"]: c
        for c in Item.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=["done", "skipped"])),
            late=Count("id", filter=late_now(plans, now)),
            recurring=Count("recurrence"),
        )
    }
    # A recurring item is late while its current occurrence is (2 more queries, only when a plan has one).
    series = plan_series_late([p.pk for p in plans if counts.get(p.pk, {}).get("recurring")], now=now)
    for plan in plans:
        c: Any = counts.get(plan.pk, {})
        plan.items_done, plan.items_total = c.get("done", 0), c.get("total", 0)  # type: ignore[attr-defined]
        plan.items_late = c.get("late", 0) + series.get(plan.pk, 0)  # type: ignore[attr-defined]
    return plans
