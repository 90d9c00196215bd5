"""Drafts prepared for the comms role when an alarm fires or a critical issue opens (issue 14).

A draft is written from the live state in customer words: which components are affected and what people
may notice. It never copies the trigger's description, the alarm's reason, the issue's title or text, or
anyone's name: those are internal. The comms role reviews it on the status page's manage page and
publishes it (or discards it)."""

from __future__ import annotations

from typing import Any

from .models import Component
from .services import incident_draft_prepare
from .states import ComponentStatus, Impact


def _affected(components: list[Component]) -> str:
    names = [c.name for c in components]
    if not names:
        return "some of our services"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def draft_body(components: list[Component]) -> str:
    return (
        f"We are investigating a problem affecting {_affected(components)}. "
        "Some things may not work as expected. We will post an update within 30 minutes."
    )


def draft_for_alarm(trigger: Any, components: list[Component]) -> None:
    worst_state = max((c.status for c in components), default=ComponentStatus.PARTIAL)
    impact = Impact.CRITICAL if worst_state == ComponentStatus.MAJOR else Impact.MAJOR
    incident_draft_prepare(
        trigger.plan,
        origin=f"trigger:{trigger.pk}:{trigger.raised_at.timestamp() * 1e6:.0f}",
        name=f"Problems with {_affected(components)}" if components else "Service disruption",
        body=draft_body(components),
        impact=impact,
        components=components,
    )


def draft_for_issue(issue: Any) -> None:
    components = list(Component.objects.filter(plan_id=issue.plan_id).exclude(status=ComponentStatus.OPERATIONAL))
    incident_draft_prepare(
        issue.plan,
        origin=f"issue:{issue.pk}",
        name=f"Problems with {_affected(components)}" if components else "Service disruption",
        body=draft_body(components),
        impact=Impact.MAJOR,
        components=components,
    )


def draft_tasks(plan: Any, role: Any, now: Any) -> list[Any]:
    """The comms role's page (the coordinator's page of unowned work when the plan has no comms role) lists
    the drafts waiting for review, with a link to the status page's manage page."""
    from communications.sources.by_hand import comms_role
    from plans.panels import RoleTask

    from .models import Incident

    drafts = list(Incident.objects.filter(plan=plan, published_at__isnull=True, discarded_at__isnull=True)[:20])
    if not drafts:  # the usual case: one query on the role page
        return []
    owner = comms_role(plan)
    if (owner is None and getattr(role, "pk", None) is not None) or (
        owner is not None and getattr(role, "pk", None) != owner.pk
    ):
        return []
    url = f"/plans/{plan.slug}/status/#drafts"
    note = "Prepared from the live state when an alarm fired or a critical issue opened: review it, then publish."
    return [RoleTask(f"Review and publish the status page draft: {d.name}", d.created_at, note, url) for d in drafts]
