"""The end of a launch, told to everyone who works it: when the coordinator aborts the launch or it is rolled
back, every role's primary and backup and the coordinator get one email saying so, who decided it, when and
why, and what to do now (stop the launch's work; the abort or rollback procedure on the plan page). An ended
launch is sent nothing else: the outbox still visits it, within its look-back, for this and for the routes'
notice of the change (``communications.outbox.due.ending_specs``). A launch closed by its handoff is told on
the routes alone: it is a calm end, with nobody to stop.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from plans.models import PlanStatus

from .registry import (
    THE_PLAN,
    DeliverySpec,
    fixed,
    holder_email,
    person,
    register_source,
    roles_and_coordinator,
    tagged,
    when,
)

if TYPE_CHECKING:
    from plans.models import Plan

#: The endings told by email, and what each asks of the people.
TOLD: dict[str, tuple[str, str]] = {
    PlanStatus.ABORTED: ("ABORTED", "abort"),
    PlanStatus.ROLLED_BACK: ("ROLLED BACK", "rollback"),
}


@register_source
def launch_ended(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    if plan.status not in TOLD:
        return
    from plans.models import Event
    from roles.models import Role

    event = (
        Event.objects.filter(plan=plan, kind="plan.state", data__to=plan.status, at__gt=start, at__lte=end)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return
    shout, procedure = TOLD[plan.status]
    reason = str((event.data or {}).get("reason") or "").strip()
    page = f"{settings.SITE_URL}/plans/{plan.slug}/"
    who = person(event.actor) if event.actor is not None else "the system"
    subject = tagged(plan.name, f"Launch {shout}: stop the launch's work")
    body = (
        f"The launch was {plan.get_status_display().lower()} at {when(plan, event.at)} by {who}"
        f"{': ' + reason if reason else '.'}\n\n"
        "Start nothing more of the launch's checklist: it can no longer be ticked. Finish only what is needed to "
        f"leave things safe, and work the {procedure} procedure on the plan page if it names you:\n{page}"
    )
    common: dict[str, Any] = {
        "source_kind": "plan.ended",
        "source_id": event.pk,
        "due_at": event.at,
        "label": f"Launch {plan.get_status_display().lower()}",
        "anchor": event.at,
        "expires_at": event.at + timedelta(hours=12),
        "render": fixed(subject, body),
    }
    roles = Role.objects.filter(plan=plan).select_related("primary", "backup").order_by("order", "id")
    for user, role, which in roles_and_coordinator(plan, roles):
        yield holder_email(user, role or THE_PLAN, which, **common)
