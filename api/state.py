"""The plan's live state in one read (``GET /api/v1/plans/<plan>/``) and its ETag."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.http import parse_etags
from django.utils.text import slugify

from checklists.models import Gate
from issues.models import Issue
from issues.selectors import open_issues
from plans.metrics import latest_reading
from plans.models import Plan, RollbackTrigger, Step, SuccessMetric
from plans.schedule import plan_forecast

from .rollout import rollout_out

#: The ETag moves with the plan's revision and at least once a minute (the forecast moves with the clock).
ETAG_BUCKET_SECONDS = 60


def plan_etag(plan: Plan, now: datetime) -> str:
    return f'"{plan.pk}-{plan.revision}-{int(now.timestamp()) // ETAG_BUCKET_SECONDS}"'


def none_match(tag: str, header: str) -> bool:
    """Whether ``If-None-Match`` holds ``tag`` (RFC 9110 §13.1.2: the weak comparison, so ``W/"…"`` matches
    its strong tag; ``*`` matches any current state)."""
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    return tag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def issue_out(issue: Issue) -> dict[str, Any]:
    return {
        "number": issue.number,
        "title": issue.title,
        "severity": issue.severity,
        "status": issue.status,
        "owner_role": issue.owner_role.slug if issue.owner_role is not None else None,
        "reported_at": issue.reported_at,
        "respond_by": issue.respond_by,
        "acknowledged_at": issue.acknowledged_at,
        "resolved_at": issue.resolved_at,
        "mitigating_at": issue.mitigating_at,
        "closed_at": issue.closed_at,
        "resolution": issue.resolution,
        "root_cause": issue.root_cause,
        "response_seconds": int(issue.response_time.total_seconds()) if issue.response_time is not None else None,
        "resolution_seconds": int(issue.resolution_time.total_seconds()) if issue.resolution_time else None,
        "reopen_count": issue.reopen_count,
    }


def trigger_out(trigger: RollbackTrigger) -> dict[str, Any]:
    return {
        "id": trigger.pk,
        "description": trigger.description,
        "kind": trigger.kind,
        "metric": trigger.metric.name if trigger.metric is not None else None,
        "raised": trigger.raised_at is not None,
        "raised_at": trigger.raised_at,
        "reason": trigger.raised_reason,
        "action": trigger.action,
    }


def step_out(step: Step, forecast: Any = None) -> dict[str, Any]:
    return {
        "id": step.pk,
        "name": step.name,
        "status": step.status,
        "lead_role": step.lead_role.slug if step.lead_role is not None else None,
        "planned_start": step.plan.at(step.offset) if step.plan.t0 is not None else None,
        "forecast_start": forecast.start if forecast is not None else None,
        "forecast_end": forecast.end if forecast is not None else None,
        "actual_start": step.actual_start,
        "actual_finish": step.actual_finish,
    }


def _metrics(plan: Plan) -> list[dict[str, Any]]:
    metrics = SuccessMetric.objects.filter(plan=plan).annotate(
        latest_value=latest_reading("value"), latest_at=latest_reading("recorded_at")
    )
    out = []
    for m in metrics:
        value = getattr(m, "latest_value", None)
        reading = None
        if value is not None:
            reading = {"value": value, "recorded_at": getattr(m, "latest_at", None), "meets": m.meets(float(value))}
        out.append(
            {
                "id": m.pk,
                "slug": slugify(m.name),
                "name": m.name,
                "unit": m.unit,
                "comparator": m.comparator,
                "target": m.target,
                "latest": reading,
            }
        )
    return out


def plan_state(plan: Plan, *, now: datetime) -> dict[str, Any]:
    """Everything a pipeline or a bot polls: state, T-0, forecast, gates, open issues, metrics, triggers, steps."""
    steps = list(Step.objects.filter(plan=plan).select_related("lead_role").order_by("offset", "order", "id"))
    for step in steps:
        step.plan = plan
    forecast = plan_forecast(plan, now=now, steps=steps)
    gates = [
        {
            "slug": g.slug,
            "name": g.name,
            "status": g.status,
            "decision": g.decision,
            "due": plan.at(g.offset) if g.offset is not None and plan.t0 is not None else None,
            "overdue_since": g.mark_overdue(plan, now).overdue_since if plan.t0 is not None else None,
        }
        for g in Gate.objects.filter(plan=plan).order_by("order", "id")
    ]
    triggers = RollbackTrigger.objects.filter(plan=plan).select_related("metric").order_by("order", "id")
    return {
        "slug": plan.slug,
        "name": plan.name,
        "state": plan.status,
        "state_label": plan.get_status_display(),
        "revision": plan.revision,
        "t0": plan.t0,
        "clockless": plan.clockless,
        "now": now,
        "awaiting_launch_since": plan.t0 if plan.awaits_launch and plan.t0 is not None and plan.t0 <= now else None,
        "forecast": {
            "planned_end": forecast.planned_end,
            "end": forecast.end,
            "slip_seconds": forecast.slip.total_seconds(),
            "at_risk": [f.task.name for f in forecast.at_risk],
        },
        "gates": gates,
        "open_issues": [issue_out(i) for i in open_issues(plan)],
        "metrics": _metrics(plan),
        "rollback_triggers": [trigger_out(t) for t in triggers],
        "steps": [step_out(s, forecast.steps.get(s.pk)) for s in steps],
        "rollout": rollout_out(plan, now),
    }
