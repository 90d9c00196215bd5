"""The plan page's parts that checklists gives it (registered in ``plans.panels`` by ``checklists.apps``), and
the gate pages the activity log links to (``plans.event_links``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .cards import plan_cards
from .models import Gate

if TYPE_CHECKING:
    from plans.models import Plan


def plan_gates(plan: Plan) -> list[Gate]:
    """The plan's gates for the plan page, those whose decision is overdue marked (1 query; registered in
    plans.panels by checklists.apps)."""
    from django.utils import timezone

    now = timezone.now()
    return [g.mark_overdue(plan, now) for g in Gate.objects.filter(plan=plan).select_related("authority_role")]


def plan_item_progress(plan: Plan) -> dict[str, int]:
    """How many of the plan's checklist items are done or skipped, and late now (as the board and the home
    page's card count them), for the plan page's live head (1 query, 3 with recurring items; registered in
    plans.panels by checklists.apps)."""
    (counted,) = plan_cards([plan])
    done, total, late = counted.items_done, counted.items_total, counted.items_late  # type: ignore[attr-defined]
    return {"done": done, "total": total, "late": late, "pct": round(100 * done / total) if total else 0}


def gate_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The pages of the plan's gates ``ids`` by id, for the activity log (1 query)."""
    from django.urls import reverse

    gates = Gate.objects.filter(plan=plan, pk__in=ids).values_list("pk", "slug")
    return {pk: reverse("checklists:gate", args=[plan.slug, slug]) for pk, slug in gates}
