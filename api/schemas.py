"""The API's request and response bodies (pydantic, through django-ninja): the OpenAPI schema is generated
from these. Every request body forbids unknown fields, so a typo is a 400 naming the field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from .rollout_schemas import RolloutOut

SeverityT = Literal["critical", "high", "medium", "low"]
#: At most this many readings in one batch.
BATCH_MAX = 500


class Body(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FieldError(Schema):
    loc: list[str | int] = Field(description='Where: ["body", "value"], ["body", "readings", 2, "at"]…')
    msg: str
    type: str = "value_error"


class Error(Schema):
    """``detail`` is a sentence, or for a 400 one entry per field at fault."""

    detail: str | list[FieldError]


# --- Requests ----------------------------------------------------------------------------------------


class ReadingIn(Body):
    value: Decimal = Field(description="The reading, in the metric's unit (at most 10 digits before the point).")
    at: AwareDatetime | None = Field(None, description="When it was measured (ISO 8601 with a zone); default: now.")


class ReadingsIn(Body):
    """One reading (``value`` and optional ``at``) or a batch (``readings``), not both."""

    value: Decimal | None = None
    at: AwareDatetime | None = None
    readings: list[ReadingIn] | None = Field(None, max_length=BATCH_MAX)


class IssueIn(Body):
    title: str = Field(min_length=1, max_length=200)
    severity: SeverityT
    description: str = Field("", max_length=10000)
    owner_role: str | None = Field(None, description="The owner role's slug (see the plan's roles).")


class ResolutionIn(Body):
    resolution: str = Field(min_length=1, max_length=2000, description="What was done.")
    root_cause: str = Field("", max_length=2000, description="What caused it, if known (needed to close).")


class ReasonIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class NoteIn(Body):
    note: str = Field("", max_length=2000)


# --- Responses ---------------------------------------------------------------------------------------


class ReadingOut(Schema):
    id: int
    metric: str
    value: Decimal
    recorded_at: datetime
    meets: bool | None


class ReadingsOut(Schema):
    readings: list[ReadingOut]
    triggers_in_breach: list[str]


class WithdrawnOut(Schema):
    withdrawn: bool = Field(description="False when the reading had already been withdrawn (a retry): nothing changed.")
    metric: str
    triggers_in_breach: list[str] = Field(description="The metric's rollback triggers still in breach after it.")


class IssueOut(Schema):
    number: int
    title: str
    severity: SeverityT
    status: str
    owner_role: str | None
    reported_at: datetime
    respond_by: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    mitigating_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str = ""
    root_cause: str = ""
    response_seconds: int | None = Field(None, description="Raised to first acknowledged (kept on reopen).")
    resolution_seconds: int | None = Field(None, description="Raised to (latest) resolved.")
    reopen_count: int = 0


class TriggerOut(Schema):
    id: int
    description: str
    kind: str
    metric: str | None
    raised: bool
    raised_at: datetime | None
    reason: str
    action: str


class StepOut(Schema):
    id: int
    name: str
    status: str
    lead_role: str | None
    planned_start: datetime | None
    forecast_start: datetime | None = None
    forecast_end: datetime | None = None
    actual_start: datetime | None
    actual_finish: datetime | None


class GateOut(Schema):
    slug: str
    name: str
    status: str
    decision: str
    due: datetime | None
    overdue_since: datetime | None = None  # when its decision was due, while it is past and not taken


class LatestOut(Schema):
    value: Decimal
    recorded_at: datetime
    meets: bool | None


class MetricOut(Schema):
    id: int
    slug: str
    name: str
    unit: str
    comparator: str
    target: Decimal | None
    latest: LatestOut | None


class ForecastOut(Schema):
    planned_end: datetime | None
    end: datetime | None = Field(description="When the last step is now forecast to finish.")
    slip_seconds: float
    at_risk: list[str] = Field(description="Steps forecast to miss a deadline.")


class PlanState(Schema):
    slug: str
    name: str
    state: str
    state_label: str
    revision: int
    t0: datetime | None
    clockless: bool
    now: datetime
    awaiting_launch_since: datetime | None = None  # T-0, once it has passed with the launch not declared
    forecast: ForecastOut
    gates: list[GateOut]
    open_issues: list[IssueOut]
    metrics: list[MetricOut]
    rollback_triggers: list[TriggerOut]
    steps: list[StepOut]
    rollout: RolloutOut | None = None


# --- Alert receivers ---------------------------------------------------------------------------------


class AlertIn(Schema):
    """One alert, as both Alertmanager and Grafana send it (Grafana adds the fields after ``fingerprint``)."""

    model_config = ConfigDict(extra="allow")
    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict, max_length=200)
    annotations: dict[str, str] = Field(default_factory=dict, max_length=200)
    startsAt: AwareDatetime
    endsAt: AwareDatetime | None = None
    fingerprint: str = Field(min_length=1, max_length=200)
    generatorURL: str = ""
    values: dict[str, float] | None = None
    valueString: str = ""


class AlertmanagerIn(Schema):
    """Prometheus Alertmanager's webhook body (``version`` "4")."""

    model_config = ConfigDict(extra="allow")
    version: str = "4"
    groupKey: str = ""
    truncatedAlerts: int = 0
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    alerts: list[AlertIn] = Field(max_length=1000)


class GrafanaIn(AlertmanagerIn):
    """Grafana alerting's webhook contact point body: Alertmanager's, plus ``orgId``, ``state``, ``title``…"""

    orgId: int | None = None
    state: str = ""
    title: str = ""
    message: str = ""


class AlertRejected(Schema):
    index: int = Field(description="The alert's place in the notification's `alerts`, from 0.")
    alert: str
    reason: str


class AlertsOut(Schema):
    received: int
    ignored: int = Field(description="Alerts no route of the plan matches.")
    duplicates: int = Field(description="Resent notifications, and firings after their resolved: nothing done.")
    actions: list[str]
    rejected: list[AlertRejected] = Field(
        default_factory=list, description="Alerts that did nothing because of their value; the others acted."
    )
