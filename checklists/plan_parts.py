"""The plan page's parts that checklists gives it (registered in ``plans.panels`` by ``checklists.apps``), and
the gate pages the activity log links to (``plans.event_links``), and the gates a role decides or votes in on
its page (``plans.panels.register_role_part``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from .cards import plan_cards
from .models import Gate, GateStatus

if TYPE_CHECKING:
    from datetime import datetime

    from plans.models import Plan
    from plans.panels import RoleTask


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


def gate_tasks(plan: Plan, role: Any, now: datetime) -> list[RoleTask]:
    """The gates ``role`` decides or votes in, with a time and not decided yet, on its page ("Also yours"):
    "Decide the Go/No-Go gate" or "Vote on …" at the moment its decision is due, opening the gate's page, where
    the poll and the decision are. A go/no-go call was on no role's page. One query (none for unowned work)."""
    from django.urls import reverse

    from plans.panels import RoleTask

    pk = getattr(role, "pk", None)
    if pk is None or plan.clockless or plan.has_ended:
        return []
    mine = Q(authority_role_id=pk) | Q(polled_roles__id=pk)
    undecided = [GateStatus.PENDING, GateStatus.POLLING]
    gates = Gate.objects.filter(mine, plan=plan, offset__isnull=False, status__in=undecided).distinct()
    tasks = []
    for gate in gates.order_by("offset", "id"):
        assert gate.offset is not None
        decides = gate.authority_role_id == pk
        polling = gate.status == GateStatus.POLLING
        if decides:
            title, note = f"Decide the {gate.name} gate", "GO or NO-GO, on its page, with its criteria and the votes."
        else:
            title = f"Vote on the {gate.name} gate"
            note = "Its poll is open: vote on its page." if polling else "Its poll opens when its authority opens it."
        url = reverse("checklists:gate", args=[plan.slug, gate.slug])
        tasks.append(RoleTask(title, plan.at(gate.offset), note, url))
    return tasks
