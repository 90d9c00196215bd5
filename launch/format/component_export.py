"""Exporting the status page's components (``components:``, issue 14) and the operations handoff (``handoff:``)."""

from __future__ import annotations

from typing import Any

from plans.models import Plan
from review.models import Handoff
from statuspage.models import Component


def components_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "description": c.description,
            "group": c.group,
            "only_show_if_degraded": c.only_show_if_degraded,
            "status": c.set_status,
            "triggers": [t.description for t in sorted(c.triggers.all(), key=lambda t: (t.order, t.pk))],
            "on_trigger": c.on_trigger,
            "alerts": list(c.alerts),
            "on_alert": c.on_alert,
        }
        for c in Component.objects.filter(plan=plan).prefetch_related("triggers").order_by("order", "id")
    ]


def handoff_doc(plan: Plan) -> dict[str, Any] | None:
    handoff = Handoff.objects.filter(plan=plan).select_related("to_role").first()
    if handoff is None or handoff.to_role is None:
        return None
    return {
        "to": handoff.to_role.name,
        "systems": list(handoff.systems),
        "runbooks": list(handoff.runbooks),
        "contacts": list(handoff.contacts),
    }
