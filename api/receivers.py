"""The alert receivers: Prometheus Alertmanager's and Grafana's webhook notifications, posted with the plan's
token. Every alert a route of the plan matches acts once (``api.services.alerts``); the token needs the
scope of what its routes do (metrics for a reading, issues for an issue or a rollback trigger)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from .auth import TokenAuth, access
from .errors import FieldFault, service_call
from .models import AlertAction, Scope
from .schemas import AlertmanagerIn, AlertsOut, Error, GrafanaIn
from .services.alerts import IncomingAlert, alert_receive, routes_for

router = Router(tags=["alerts"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 409: Error, 429: Error}
SCOPE_OF = {AlertAction.METRIC: Scope.METRICS, AlertAction.TRIGGER: Scope.ISSUES, AlertAction.ISSUE: Scope.ISSUES}


def _incoming(body: AlertmanagerIn) -> list[IncomingAlert]:
    return [
        IncomingAlert(
            status=a.status,
            labels=dict(a.labels),
            annotations=dict(a.annotations),
            starts_at=a.startsAt,
            ends_at=a.endsAt,
            fingerprint=a.fingerprint,
            values=dict(a.values or {}),
        )
        for a in body.alerts
    ]


def _receive(request: HttpRequest, plan: str, source: str, body: AlertmanagerIn) -> dict[str, Any]:
    # Any scope lets the token in; what the plan's routes do with these alerts decides what it must have.
    where = access(request, plan, None)
    alerts = _incoming(body)
    matched = routes_for(where.plan, source, alerts)
    needed = sorted({SCOPE_OF[AlertAction(r.action)] for routes in matched.values() for r in routes})
    missing = [s for s in needed if s not in where.token.scopes]
    if missing:
        raise HttpError(403, f"This plan's alert routes need the token's {', '.join(missing)} scope.")
    with service_call("alerts"):
        outcome = alert_receive(where.plan, by=where.identity, source=source, alerts=alerts)
    return {
        "received": outcome.received,
        "ignored": outcome.ignored,
        "duplicates": outcome.duplicates,
        "actions": outcome.actions,
        "rejected": outcome.rejected,
    }


@router.post(
    "/plans/{plan}/alerts/alertmanager",
    response={200: AlertsOut, **ERRORS},
    url_name="alerts_alertmanager",
    auth=TokenAuth(),
    summary="Prometheus Alertmanager webhook receiver",
    description="Point an Alertmanager `webhook_configs` receiver here (docs/api.md). Firing alerts act through "
    "the plan's alert routes; resolved ones undo it; resends are ignored (fingerprint + startsAt).",
)
def alertmanager(request: HttpRequest, plan: str, body: AlertmanagerIn) -> dict[str, Any]:
    if body.version != "4":
        raise FieldFault(["body", "version"], f"Alertmanager webhook version 4 expected, got {body.version[:20]!r}.")
    return _receive(request, plan, "alertmanager", body)


@router.post(
    "/plans/{plan}/alerts/grafana",
    response={200: AlertsOut, **ERRORS},
    url_name="alerts_grafana",
    auth=TokenAuth(),
    summary="Grafana alerting webhook contact point",
    description="Point a Grafana webhook contact point here (docs/api.md). Same handling as Alertmanager's; "
    "a route's `value` may name one of the alert's Grafana `values` (B, C…).",
)
def grafana(request: HttpRequest, plan: str, body: GrafanaIn) -> dict[str, Any]:
    return _receive(request, plan, "grafana", body)
