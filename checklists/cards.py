"""The home page's cards: the roles a person holds, each with its open, done and late items; the plans a person
coordinates, each with its items done and late."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.lateness import item_late_q
from plans.models import Plan
from plans.selectors import my_roles
from roles.models import Role

from .models import Item
from .series.state import role_series_counts

if TYPE_CHECKING:
    from plans.permissions import Viewer


def my_role_cards(user: Viewer) -> list[Role]:
    """The roles a person holds, each with counts of open, done and late items (2 queries, and one more for
    each plan they hold a role in: what is late is measured on each plan's clock)."""
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
        role.late_items = 0  # type: ignore[attr-defined]
    now = timezone.now()
    plans = {r.plan_id: r.plan for r in roles if r.plan.dates_in_range}
    by_pk = {r.pk: r for r in roles}
    for plan in plans.values():
        late = (
            Item.objects.annotate(role_key=Coalesce("owner_role_id", "checklist__role_id"))
            .filter(_late(plan, now), plan=plan, role_key__in=ids)
            .values("role_key")
            .annotate(n=Count("id"))
        )
        for row in late:
            by_pk[row["role_key"]].late_items = row["n"]  # type: ignore[attr-defined]
    return roles


def _late(plan: Plan, now: Any) -> Q:
    """Open one-off items late at ``now`` (plans.lateness: from their due time on)."""
    return Q(status="open", recurrence__isnull=True) & item_late_q(plan, now)


def plan_cards(plans: list[Plan]) -> list[Plan]:
    """The plans a person coordinates, each with its checklist items done (or skipped), all, and late now, as on
    the plan page's head and the board (one query a plan)."""
    now = timezone.now()
    for plan in plans:
        counts = Item.objects.filter(plan=plan).aggregate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=["done", "skipped"])),
            late=Count("id", filter=_late(plan, now) if plan.dates_in_range else Q(pk__isnull=True)),
        )
        plan.items_done, plan.items_total, plan.items_late = counts["done"], counts["total"], counts["late"]  # type: ignore[attr-defined]
    return plans
