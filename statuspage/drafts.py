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
