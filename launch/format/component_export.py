"""Exporting the status page's components (``components:``, issue 14)."""

from __future__ import annotations

from typing import Any

from plans.models import Plan
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
