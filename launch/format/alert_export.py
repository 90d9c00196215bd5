"""Exporting a plan's alert routes (``alerts:``, issue 12)."""

from __future__ import annotations

from typing import Any

from api.models import AlertAction, AlertRoute
from plans.models import Plan


def alerts_doc(plan: Plan) -> list[dict[str, Any]]:
    out = []
    for r in AlertRoute.objects.filter(plan=plan).select_related("metric", "trigger", "owner_role"):
        entry: dict[str, Any] = {"alertname": r.alertname, "labels": dict(r.labels), "source": r.source}
        if r.action == AlertAction.METRIC and r.metric is not None:
            entry.update(metric=r.metric.name, value=r.value)
        elif r.action == AlertAction.TRIGGER and r.trigger is not None:
            entry["trigger"] = r.trigger.description
        elif r.action == AlertAction.ISSUE:
            entry.update(issue=r.severity or "high", owner=r.owner_role.name if r.owner_role else None)
        else:  # a route whose metric or trigger was deleted does nothing: leave it out
            continue
        out.append(entry)
    return out
