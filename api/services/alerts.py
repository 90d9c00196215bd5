"""Alert notifications from Prometheus Alertmanager and Grafana, turned into the plan's own writes by its
alert routes (:class:`api.models.AlertRoute`): a metric reading, a rollback trigger raised and cleared, an
issue opened and resolved, each through the same service as the pages, as the token's service identity.

An alert occurrence is its fingerprint and its ``startsAt``. The first *firing* of an occurrence acts;
a resent firing finds its receipt and does nothing. A *resolved* undoes what the firing did (clears the
trigger, resolves the issues, records 0 for a route that names no value); a resolved that arrives before its firing
leaves a receipt, so that the late firing is ignored (it is already over)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from issues.models import UNRESOLVED, Issue, Severity
from issues.services import issue_open, issue_resolve
from plans.runbook.services import rollback_trigger_clear, rollback_trigger_raise
from plans.services import plan_lock, reading_record, reading_run_end
from plans.validators import BoundsError, without_controls

from ..models import AlertAction, AlertReceipt, AlertRoute, AlertStatus, ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan


def plain(text: object, max_length: int) -> str:
    """Alert text as the pages may show it: control characters dropped, cut to ``max_length``."""
    cleaned = without_controls(str(text or "")).strip()
    return cleaned if len(cleaned) <= max_length else cleaned[: max_length - 1] + "…"


@dataclass(frozen=True)
class IncomingAlert:
    """One alert of a notification, the same shape for both sources."""

    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    values: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "") or self.fingerprint

    @property
    def summary(self) -> str:
        return self.annotations.get("summary") or self.annotations.get("description") or ""


@dataclass
class AlertOutcome:
    """What a notification did, alert by alert (the receiver's response body)."""

    received: int = 0
    ignored: int = 0  # no route matched
    duplicates: int = 0  # a resent firing, a resent resolved, a firing after its resolved
    actions: list[str] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)  # {index, alert, reason}: nothing done


def routes_for(plan: Plan, source: str, alerts: list[IncomingAlert]) -> dict[int, list[AlertRoute]]:
    """The routes each alert (by index) matches, in the plan's order."""
    routes = list(AlertRoute.objects.filter(plan=plan).select_related("metric", "trigger", "owner_role"))
    return {i: [r for r in routes if r.matches(source, a.labels)] for i, a in enumerate(alerts)}


class AlertRefused(Exception):
    """One alert of a notification that cannot act (its value is not a number the metric takes): reported
    with its index, the notification's other alerts act all the same."""


def _reading_value(route: AlertRoute, alert: IncomingAlert) -> Decimal | str:
    """The number a metric route records from a firing alert, or why it records none. A route that names a
    ``value`` records that Grafana value, annotation or label, and nothing when the alert lacks it; a route
    that names none records 1 (firing)."""
    if not route.value:
        return Decimal(1)
    raw = alert.values.get(route.value, alert.annotations.get(route.value, alert.labels.get(route.value)))
    if raw is None:
        return f"no reading ({plain(route.value, 40)} is missing from the alert)"
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise AlertRefused(f"{plain(route.value, 40)} = {plain(raw, 40)!r} is not a number.")
    return value


def _severity(route: AlertRoute, alert: IncomingAlert) -> str:
    if route.severity:
        return route.severity
    label = alert.labels.get("severity", "").lower()
    return label if label in Severity.values else Severity.HIGH


def _fire(route: AlertRoute, alert: IncomingAlert, receipt: AlertReceipt, *, by: User, source: str) -> str:
    label = "Alertmanager" if source == "alertmanager" else "Grafana"
    if route.action == AlertAction.METRIC and route.metric is not None:
        value = _reading_value(route, alert)
        if isinstance(value, str):
            return value
        try:
            reading_record(route.metric, value=value, by=by, at=min(alert.starts_at, timezone.now()))
        except BoundsError as exc:
            raise AlertRefused(f"{plain(route.value or 'value', 40)} = {value}: {' '.join(exc.messages)}") from None
        return f"reading {route.metric.name} = {value}"
    if route.action == AlertAction.TRIGGER and route.trigger is not None:
        reason = plain(f"{label} alert {alert.name} firing" + (f": {alert.summary}" if alert.summary else ""), 2000)
        rollback_trigger_raise(route.trigger, by=by, reason=reason, via="alert")
        return f"raised trigger {route.trigger.description}"
    if route.action == AlertAction.ISSUE:
        details = "\n".join(f"{k}: {v}" for k, v in sorted(alert.annotations.items()))
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
        issue = issue_open(
            receipt.plan,
            by=by,
            title=plain(f"{alert.name}: {alert.summary}" if alert.summary else alert.name, 200),
            severity=_severity(route, alert),
            description=plain(
                f"{label} alert since {alert.starts_at:%Y-%m-%d %H:%M:%S} UTC\n{details}\n{labels}", 5000
            ),
            owner_role=route.owner_role,
        )
        receipt.issues = [*receipt.issues, issue.pk]
        return f"opened issue #{issue.number}"
    return "nothing (route incomplete)"


def _resolve(route: AlertRoute, alert: IncomingAlert, receipt: AlertReceipt, *, by: User, source: str) -> str:
    label = "Alertmanager" if source == "alertmanager" else "Grafana"
    ended = alert.ends_at if alert.ends_at is not None and alert.ends_at.year > 1 else timezone.now()
    if route.action == AlertAction.METRIC and route.metric is not None:
        if route.value:
            # Alertmanager resends the last firing annotations (``$value`` when it last fired), and Grafana
            # its last values: no measurement of the moment it resolved, so no reading; but the condition is
            # over, so the firing value's run ends (a rollback trigger's clock stops, an automatic alarm clears).
            reading_run_end(route.metric, by=by, at=ended, reason=f"{label} alert {alert.name} resolved")
            return (
                f"no reading (a resolved alert repeats its firing {plain(route.value, 40)}); "
                f"{route.metric.name}'s run of readings ends"
            )
        reading_record(route.metric, value=Decimal(0), by=by, at=min(ended, timezone.now()))
        return f"reading {route.metric.name} = 0"
    if route.action == AlertAction.TRIGGER and route.trigger is not None:
        trigger = route.trigger
        trigger.refresh_from_db(fields=["raised_at", "raised_by"])
        # Only a trigger an alert raised (a token's identity) is cleared by its alert: a person's pull stands.
        if trigger.raised_at is None or not ApiToken.objects.filter(identity_id=trigger.raised_by_id).exists():
            return f"left trigger {trigger.description} as it is"
        rollback_trigger_clear(trigger, by=by, reason=f"{label} alert {alert.name} resolved")
        return f"cleared trigger {trigger.description}"
    if route.action == AlertAction.ISSUE:
        done = []
        for issue in Issue.objects.filter(pk__in=receipt.issues, status__in=UNRESOLVED):
            issue_resolve(issue, by=by, resolution=f"{label} alert {alert.name} resolved at {ended:%H:%M:%S} UTC")
            done.append(f"#{issue.number}")
        return "resolved issue " + ", ".join(done) if done else "no open issue to resolve"
    return "nothing (route incomplete)"


def alert_receive(plan: Plan, *, by: User, source: str, alerts: list[IncomingAlert]) -> AlertOutcome:
    """Act on one notification's alerts, each on its own: an alert whose value a metric cannot take does
    nothing and is listed in ``rejected``, the others act. ``by`` is the token's service identity (the
    services check its rights); the caller has checked the token's scopes against the routes."""
    outcome = AlertOutcome(received=len(alerts))
    matched = routes_for(plan, source, alerts)
    with transaction.atomic():
        plan_lock(plan)  # one notification at a time per plan: a resend racing its original finds the receipt
        for i, alert in enumerate(alerts):
            routes = matched[i]
            if not routes:
                outcome.ignored += 1
                continue
            receipt = (
                AlertReceipt.objects.select_for_update()
                .filter(plan=plan, source=source, fingerprint=alert.fingerprint, starts_at=alert.starts_at)
                .first()
            )
            try:
                with transaction.atomic():  # one alert's refusal undoes that alert only
                    done = _occurrence(plan, alert, routes, receipt, by=by, source=source, outcome=outcome)
            except AlertRefused as exc:
                outcome.rejected.append({"index": i, "alert": plain(alert.name, 200), "reason": str(exc)})
                continue
            except ValidationError as exc:  # a route the plan refuses (an automatic trigger): this alert only
                reason = plain(" ".join(exc.messages), 500)
                outcome.rejected.append({"index": i, "alert": plain(alert.name, 200), "reason": reason})
                continue
            outcome.actions.extend(done)
    return outcome


def _occurrence(
    plan: Plan,
    alert: IncomingAlert,
    routes: list[AlertRoute],
    receipt: AlertReceipt | None,
    *,
    by: User,
    source: str,
    outcome: AlertOutcome,
) -> list[str]:
    firing = alert.status == AlertStatus.FIRING
    if receipt is not None and (firing or receipt.status == AlertStatus.RESOLVED):
        outcome.duplicates += 1
        return []
    if receipt is None:
        receipt = AlertReceipt(
            plan=plan,
            source=source,
            fingerprint=alert.fingerprint,
            starts_at=alert.starts_at,
            alertname=plain(alert.labels.get("alertname", ""), 200),
            status=AlertStatus.FIRING if firing else AlertStatus.RESOLVED,
        )
        if not firing:  # resolved before any firing: remember it, so that the late firing is ignored
            receipt.resolved_at = timezone.now()
            receipt.save()
            return [f"{alert.name}: resolved before its firing arrived, nothing to undo"]
        actions = [f"{alert.name}: {_fire(route, alert, receipt, by=by, source=source)}" for route in routes]
        receipt.save()
        return actions
    receipt.status, receipt.resolved_at = AlertStatus.RESOLVED, timezone.now()
    actions = [f"{alert.name}: {_resolve(route, alert, receipt, by=by, source=source)}" for route in routes]
    receipt.save(update_fields=["status", "resolved_at"])
    return actions
