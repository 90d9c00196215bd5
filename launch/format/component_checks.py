"""Checks for the status page's components (``components:``, issue 14): unique names, and the rollback
triggers and alert names they refer to; and for the operations handoff (``handoff:``)."""

from __future__ import annotations

from typing import Any

from .schema import PlanDoc

Finding = tuple[tuple[Any, ...], str]


def component_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    seen: set[str] = set()
    triggers = [t.description for t in doc.rollback_triggers]
    alertnames = {r.alertname for r in doc.alerts if r.alertname}
    for i, component in enumerate(doc.components):
        loc = ("components", i)
        if component.name.casefold() in seen:
            found.append((loc + ("name",), f"duplicate component name {component.name!r}"))
        seen.add(component.name.casefold())
        for j, name in enumerate(component.triggers):
            if name not in triggers:
                found.append((loc + ("triggers", j), f"unknown rollback trigger {name!r}"))
            elif triggers.count(name) > 1:
                found.append((loc + ("triggers", j), f"more than one rollback trigger is described {name!r}"))
        for j, name in enumerate(component.alerts):
            if name not in alertnames:
                found.append(
                    (loc + ("alerts", j), f"no alert route (alerts:) matches alertname {name!r}: it would never fire")
                )
    return found + handoff_checks(doc, steps)


def handoff_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """The handoff names a role of the plan and hands over something."""
    handoff = doc.handoff
    if handoff is None:
        return []
    found: list[Finding] = []
    if handoff.to not in {r.name for r in doc.roles}:
        found.append((("handoff", "to"), f"unknown role {handoff.to!r}"))
    if not (handoff.systems or handoff.runbooks or handoff.contacts):
        found.append((("handoff",), "say what is handed over: systems, runbooks or contacts"))
    return found
