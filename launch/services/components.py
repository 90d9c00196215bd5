"""Writing a plan file's status page components (``components:``, issue 14): a section of
:data:`launch.services.creation.SECTIONS`, after the rollback triggers and alert routes they name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plans.models import RollbackTrigger
from review.models import Handoff
from statuspage.models import Component

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def create_components(doc: PlanDoc, made: Created) -> None:
    triggers = {t.description: t for t in RollbackTrigger.objects.filter(plan=made.plan)}
    rows = Component.objects.bulk_create(
        [
            Component(
                plan=made.plan,
                order=i,
                name=c.name,
                description=c.description,
                group=c.group,
                only_show_if_degraded=c.only_show_if_degraded,
                status=c.status,
                set_status=c.status,
                on_trigger=c.on_trigger,
                alerts=list(c.alerts),
                on_alert=c.on_alert,
            )
            for i, c in enumerate(doc.components)
        ]
    )
    for row, c in zip(rows, doc.components, strict=True):
        row.triggers.set([triggers[name] for name in c.triggers if name in triggers])


def create_handoff(doc: PlanDoc, made: Created) -> None:
    """The plan file's ``handoff:`` as a planned handoff (review.Handoff), proposed later on the
    post-launch page."""
    if doc.handoff is None:
        return
    Handoff.objects.create(
        plan=made.plan,
        to_role=made.role(doc.handoff.to),
        systems=list(doc.handoff.systems),
        runbooks=list(doc.handoff.runbooks),
        contacts=list(doc.handoff.contacts),
    )
