"""Writing a plan file's alert routes (``alerts:``, issue 12): a section of
:data:`launch.services.creation.SECTIONS`, after the metrics and the rollback triggers it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.models import AlertAction, AlertRoute
from plans.models import RollbackTrigger

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def create_alert_routes(doc: PlanDoc, made: Created) -> None:
    triggers = {t.description: t for t in RollbackTrigger.objects.filter(plan=made.plan)}
    routes = []
    for i, r in enumerate(doc.alerts):
        action = AlertAction.METRIC if r.metric else AlertAction.TRIGGER if r.trigger else AlertAction.ISSUE
        routes.append(
            AlertRoute(
                plan=made.plan,
                order=i,
                alertname=r.alertname,
                labels=dict(r.labels),
                source=r.source,
                action=action,
                metric=made.metrics.get(r.metric or ""),
                value=r.value,
                trigger=triggers.get(r.trigger or ""),
                severity=r.issue or "",
                owner_role=made.role(r.owner),
            )
        )
    AlertRoute.objects.bulk_create(routes)
