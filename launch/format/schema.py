"""The plan format's schema: pydantic v2 models, ``extra="forbid"`` everywhere so a typo is an error.

Offsets (``T-7d``) and durations (``2h30m``) are validated by the same parser the app uses
(:mod:`plans.offsets`); cross-references (role, step, metric, gate, channel names), duplicate names
and dependency cycles are checked in :mod:`launch.format.checks`, which knows where each value sits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from plans.validators import (
    MAX_OCCURRENCES,
    clean_text,
)

from .fields import (
    ComparatorT,
    Data,
    DueDate,
    Duration,
    Email,
    Entries,
    Level,
    Name80,
    Name120,
    Name200,
    Name300,
    Number,
    Offset,
    Ref,
    Slug,
    Str30,
    Str60,
    Str64,
    Str80,
    Str120,
    Str150,
    Str200,
    Str300,
    Str2000,
    Strict,
    Text,
    _name,
)
from .readiness_sections import ReadinessDoc, TrackDoc
from .sections import ComponentDoc, HandoffDoc, RolloutDoc, RouteDoc

FORMAT_VERSION: Literal[1] = 1


def _clock(value: str) -> str:
    from checklists.series.times import parse_clock

    value = clean_text(value, max_length=5)
    clock = parse_clock(value)
    if value != f"{clock:%H:%M}":
        raise ValueError(f"{value!r}: write clock times as HH:MM, e.g. 09:00")
    return value


Clock = Annotated[str, AfterValidator(_clock)]
Username = Annotated[str, Field(min_length=1), AfterValidator(_name(150))]


class Aliased(Strict):
    """``from`` is a Python keyword: the field is ``start``, written ``from:`` in the file."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True, populate_by_name=True)


class RepeatDoc(Aliased):
    """An item or a step that recurs (docs/plan-format.md, "Recurring items"): ``every`` or ``times``."""

    every: Duration | None = None
    times: Annotated[list[Clock], Field(max_length=48)] = []
    start: Offset = Field(alias="from")
    until: Offset
    grace: Duration | None = None


class StepDoc(Strict):
    name: Name200
    at: Offset | None = None  # or `after`: one of the two places the step
    after: Entries[Ref] = []  # steps or gates: starts when they end (pass)
    estimate: Duration | None = None
    duration: Duration = timedelta(0)
    deadline: Offset | None = None
    lead: Ref | None = None
    depends_on: Entries[Ref] = []
    verify: Text = ""
    rollback: Text = ""
    description: Text = ""
    preconditions: Entries[Str2000] = []
    action: Text = ""
    optional: bool = False
    condition: Str300 = ""
    repeat: RepeatDoc | None = None  # a recurring step (checklists.series): no after, nothing after it


class PhaseDoc(Strict):
    name: Name200
    start: Offset = timedelta(0)
    end: Offset | None = None
    after: Entries[Ref] = []  # gates: every step of the phase waits for them
    description: Text = ""
    steps: Entries[StepDoc] = []


class RotaDoc(Aliased):
    """An on-call rota: shifts of ``shift`` from ``from`` to ``until``, ``people`` in turn."""

    start: Offset = Field(alias="from")
    until: Offset
    shift: Duration
    people: Annotated[list[Username], Field(min_length=1, max_length=100)]
    backups: Annotated[list[Username], Field(max_length=100)] = []


class ShiftDoc(Aliased):
    start: Offset = Field(alias="from")
    until: Offset
    person: Username
    backup: Username | None = None


class RoleDoc(Strict):
    name: Name120
    slug: Slug | None = None
    team: Str120 = ""
    summary: Text = ""
    responsibilities: Entries[Str2000] = []
    primary: Str150 | None = None
    backup: Str150 | None = None
    phone: Str60 = ""
    email: Email = ""
    chat: Str120 = ""
    attributes: Data = {}
    rota: RotaDoc | None = None
    shifts: Entries[ShiftDoc] = []


class ContactDoc(Strict):
    label: Name120
    kind: Literal["primary", "emergency", "vendor", "escalation", "media", "other"] = "other"
    name: Str120 = ""
    organisation: Str120 = ""
    phone: Str60 = ""
    email: Email = ""
    notes: Text = ""
    role: Ref | None = None


class EscalationDoc(Strict):
    level: Annotated[int, Field(ge=0, le=32767)]
    name: Name120
    after: Duration = timedelta(0)
    until: Duration | None = None
    roles: Entries[Ref] = []
    condition: Str200 = ""
    notes: Text = ""


class SeverityDoc(Strict):
    severity: Literal["critical", "high", "medium", "low"]
    response: Duration
    resolve: Duration | None = None
    description: Str200 = ""


class ItemDoc(Strict):
    title: Name300
    section: Str200 = ""
    role: Ref | None = None  # omitted: the checklist's role; `null`: no owner
    step: Ref | None = None
    gate: Ref | None = None
    due: Offset | None = None
    due_date: DueDate | None = None  # a clockless plan's items only
    required: bool = True
    notes: Text = ""
    repeat: RepeatDoc | None = None
    items: Entries[ItemDoc] = []  # sub-items, one level deep


class ChecklistDoc(Strict):
    name: Name200
    role: Ref | None = None
    phase: Ref | None = None
    description: Text = ""
    items: Entries[ItemDoc] = []


class GateDoc(Strict):
    name: Name200
    slug: Slug | None = None
    kind: Literal["go_no_go", "launch_authorization", "readiness", "validation"] = "go_no_go"
    at: Offset | None = None
    step: Ref | None = None
    description: Text = ""
    authority: Ref | None = None
    polled: Entries[Ref] = []
    triggers: Entries[Name300] = []


class RiskDoc(Strict):
    title: Name200
    description: Text = ""
    probability: Level | None = None
    impact: Level | None = None
    mitigation: Entries[Str2000] = []
    rollback: Text = ""
    owner: Ref | None = None


class MetricDoc(Strict):
    name: Name200
    category: Str80 = ""
    comparator: ComparatorT | None = None
    target: Number | None = None
    unit: Str30 = ""
    window: Str120 = ""
    measure: Literal["every", "mean", "latest"] | None = None  # omitted: every reading in the window
    description: Text = ""


class RollbackTriggerDoc(Strict):
    description: Name300
    metric: Ref | None = None
    comparator: ComparatorT | None = None
    threshold: Number | None = None
    sustained_for: Duration | None = None
    kind: Literal["automatic", "discretionary"] | None = None  # omitted: automatic with a metric, else discretionary
    action: Str300 = ""
    window_start: Offset | None = None
    window_end: Offset | None = None
    roles: Entries[Ref] = []


PlaceholderName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class PlaceholderDoc(Strict):
    name: PlaceholderName
    kind: Literal["person", "date", "link", "number", "text"] = "text"
    label: Str200 = ""
    description: Text = ""
    value: Str2000 = ""
    required: bool = True
    gates: Entries[Ref] = []


class ProcedureStepDoc(Strict):
    name: Name200
    action: Text = ""
    verify: Text = ""
    estimate: Duration | None = None
    lead: Ref | None = None


class ProcedureDoc(Strict):
    name: Name200
    kind: Literal["rollback", "abort", "other"] = "other"
    description: Text = ""
    lead: Ref | None = None
    steps: Entries[ProcedureStepDoc] = []


class ChannelDoc(Strict):
    name: Name120
    kind: Literal["email", "webhook", "status_page", "chat", "other"]
    target: Str2000 = ""
    purpose: Str200 = ""
    enabled: bool = True


class MessageDoc(Strict):
    name: Name200
    kind: Literal["announcement", "status_update", "eod_report", "custom"] = "announcement"
    audience: Literal["staff", "executives", "users", "partners", "public"] = "staff"
    channels: Entries[Ref] = []
    at: Offset
    every: Duration | None = None
    count: Annotated[int, Field(ge=1, le=MAX_OCCURRENCES)] | None = None
    subject: Str200 = ""
    body: Text = ""
    requires_approval: bool = False
    enabled: bool = True


LabelName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class AlertRouteDoc(Strict):
    """What an alert from Alertmanager or Grafana does (api.AlertRoute): exactly one of ``metric``,
    ``trigger`` or ``issue``; matched by ``alertname`` and/or ``labels``."""

    alertname: Str200 = ""
    labels: Annotated[dict[LabelName, Str200], Field(max_length=20)] = {}
    source: Literal["any", "alertmanager", "grafana"] = "any"
    metric: Ref | None = None
    value: Str120 = ""
    trigger: Str300 | None = None
    issue: Literal["critical", "high", "medium", "low"] | None = None
    owner: Ref | None = None


class PlanDoc(Strict):
    format: Literal[1] = FORMAT_VERSION
    name: Name200
    slug: Str80 | None = None
    summary: Text = ""
    timezone: Str64 | None = None
    clockless: bool = False
    reminder_lead: Duration = timedelta(minutes=15)
    window_end: Offset | None = None
    extra: Data = {}
    roles: Entries[RoleDoc] = []
    contacts: Entries[ContactDoc] = []
    escalation: Entries[EscalationDoc] = []
    severity_slas: Entries[SeverityDoc] = []
    issue_categories: Entries[Name80] = Field(default=[], description="Kinds of issue the plan tracks.")
    phases: Entries[PhaseDoc] = []
    steps: Entries[StepDoc] = Field(default=[], description="Steps outside any phase.")
    gates: Entries[GateDoc] = []
    checklists: Entries[ChecklistDoc] = []
    risks: Entries[RiskDoc] = []
    metrics: Entries[MetricDoc] = []
    rollback_triggers: Entries[RollbackTriggerDoc] = []
    channels: Entries[ChannelDoc] = []
    messages: Entries[MessageDoc] = []
    placeholders: Entries[PlaceholderDoc] = []
    procedures: Entries[ProcedureDoc] = []
    alerts: Entries[AlertRouteDoc] = []
    routes: Entries[RouteDoc] = []
    rollout: RolloutDoc | None = None
    components: Entries[ComponentDoc] = Field(default=[], description="The public status page's components.")
    training: Entries[TrackDoc] = Field(default=[], description="Training tracks per audience (issue 13).")
    readiness: ReadinessDoc | None = None
    handoff: HandoffDoc | None = Field(default=None, description="The operations handoff that closes the launch.")
