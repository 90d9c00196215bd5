"""Exporting a plan's staged rollout (``rollout:``, issue 12): its definition, not where it stands."""

from __future__ import annotations

from typing import Any

from plans.models import Plan, Rollout


def rollout_doc(plan: Plan) -> dict[str, Any] | None:
    rollout = Rollout.objects.filter(plan=plan).select_related("authority_role").first()
    if rollout is None:
        return None
    stages = rollout.stages.order_by("order", "id").prefetch_related("metrics")
    return {
        "authority": rollout.authority_role.name if rollout.authority_role is not None else None,
        "stages": [
            {
                "name": s.name,
                "percent": s.percent,
                "soak": s.soak,
                "metrics": [m.name for m in sorted(s.metrics.all(), key=lambda m: (m.order, m.pk))],
            }
            for s in stages
        ],
    }
