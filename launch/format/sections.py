"""The plan format's later sections, apart from :mod:`launch.format.schema` so that each module stays
readable: notification routes (``routes:``), the staged rollout (``rollout:``) and the public status
page's components (``components:``) and the operations handoff (``handoff:``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field

from .fields import Duration, Entries, Name120, Name200, Ref, Str30, Str120, Str200, Str300, Str2000, Strict

RouteEvent = Literal["alarm", "escalation", "sla", "issue", "no_go", "hold", "state", "reminder"]
RouteSeverity = Literal["critical", "high", "medium", "low"]


class RoutePersonDoc(Strict):
    """One person's choice on a route (communications.RoutePreference)."""

    user: Ref
    severity: RouteSeverity | Literal["off"] | None = None
    quiet: Str30 = ""  # HH:MM-HH:MM in the plan's zone: only critical notices then


class RouteDoc(Strict):
    """Where notices go (communications.Route): secrets only as {{ placeholder }} or env:LC_ROUTE_NAME."""

    name: Name120
    kind: Literal["email", "slack", "teams", "pagerduty"]
    url: Str2000 = ""
    key: Str200 = ""
    to: Str2000 = ""
    events: Entries[RouteEvent] = []
    severity: RouteSeverity | None = None
    roles: Entries[Ref] = []
    enabled: bool = True
    people: Entries[RoutePersonDoc] = []


class RolloutStageDoc(Strict):
    """A stage of the rollout (plans.RolloutStage): ``percent`` of the traffic for at least ``soak``, and the
    success metrics that must be on target (read during the stage) before it advances."""

    name: Name200
    percent: Annotated[int, Field(ge=1, le=100)]
    soak: Duration = timedelta(0)
    metrics: Annotated[list[Ref], Field(max_length=50)] = []


class RolloutDoc(Strict):
    """The staged rollout (plans.Rollout): who decides, and the stages in order of rising traffic."""

    authority: Ref | None = None
    stages: Annotated[list[RolloutStageDoc], Field(min_length=1, max_length=20)]


ComponentState = Literal["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]


class ComponentDoc(Strict):
    """A part of the service on the public status page (statuspage.Component, issue 14). ``triggers``: the
    rollback triggers that move it to ``on_trigger`` while raised; ``alerts``: the alert names (of the
    plan's ``alerts:`` routes) that move it to ``on_alert`` while firing."""

    name: Name120
    description: Str300 = ""
    group: Str120 = ""
    only_show_if_degraded: bool = False
    status: ComponentState = "operational"
    triggers: Entries[Str300] = []
    on_trigger: ComponentState = "major_outage"
    alerts: Entries[Str200] = []
    on_alert: ComponentState = "partial_outage"


class HandoffDoc(Strict):
    """The operations handoff (review.Handoff): to which role the launch is handed over, and what (systems,
    runbooks, contacts). The coordinator proposes it after T-0, the role's primary or backup accepts it,
    and the launch is closed."""

    to: Ref
    systems: Entries[Str300] = []
    runbooks: Entries[Str300] = []
    contacts: Entries[Str300] = []
