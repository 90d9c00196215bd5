"""Checks for a plan's alert routes (``alerts:``, issue 12): what each does, and the names it refers to."""

from __future__ import annotations

from typing import Any

from .schema import AlertRouteDoc, PlanDoc

Finding = tuple[tuple[Any, ...], str]


def _trigger_is_discretionary(doc: PlanDoc, description: str) -> bool | None:
    """None: no such trigger. A trigger without ``kind`` is discretionary when it has no metric."""
    for t in doc.rollback_triggers:
        if t.description == description:
            return (t.kind or ("automatic" if t.metric else "discretionary")) == "discretionary"
    return None


def _route_findings(doc: PlanDoc, loc: tuple[Any, ...], route: AlertRouteDoc) -> list[Finding]:
    found: list[Finding] = []
    actions = [k for k in ("metric", "trigger", "issue") if getattr(route, k) is not None]
    if len(actions) != 1:
        found.append((loc, "say what the alert does: exactly one of metric, trigger or issue"))
    if not route.alertname and not route.labels:
        found.append((loc + ("alertname",), "match alerts by alertname, labels or both"))
    if route.metric is not None and route.metric not in {m.name for m in doc.metrics}:
        found.append((loc + ("metric",), f"unknown metric {route.metric!r}"))
    if route.value and route.metric is None:
        found.append((loc + ("value",), "value names the reading's number: it goes with metric"))
    if route.trigger is not None:
        discretionary = _trigger_is_discretionary(doc, route.trigger)
        if discretionary is None:
            found.append((loc + ("trigger",), f"unknown rollback trigger {route.trigger!r}"))
        elif not discretionary:
            found.append(
                (
                    loc + ("trigger",),
                    "an automatic trigger is raised by its readings: map the alert to its metric",
                )
            )
        elif sum(t.description == route.trigger for t in doc.rollback_triggers) > 1:
            found.append((loc + ("trigger",), f"more than one rollback trigger is described {route.trigger!r}"))
    if route.owner is not None:
        if route.issue is None:
            found.append((loc + ("owner",), "owner is the role an alert's issue goes to: it goes with issue"))
        elif route.owner not in {r.name for r in doc.roles}:
            found.append((loc + ("owner",), f"unknown role {route.owner!r}"))
    return found


def alert_route_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    for i, route in enumerate(doc.alerts):
        found += _route_findings(doc, ("alerts", i), route)
    return found
