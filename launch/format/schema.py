"""The plan format's schema: pydantic v2 models, ``extra="forbid"`` everywhere so a typo is an error.

Offsets (``T-7d``) and durations (``2h30m``) are validated by the same parser the app uses
(:mod:`plans.offsets`); cross-references (role, step, metric, gate, channel names), duplicate names
and dependency cycles are checked in :mod:`launch.format.checks`, which knows where each value sits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from plans.duedates import DueDateError, check_due_text
from plans.offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset
from plans.validators import (
    LONG_TEXT_MAX,
    MAX_OCCURRENCES,
    check_duration,
    check_offset,
    check_plain_data,
    clean_text,
)

FORMAT_VERSION: Literal[1] = 1
#: At most this many entries in any list of a plan file (roles, steps, items of one checklist...).
MAX_ENTRIES = 1000


def _offset(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return check_offset(value)
    if not isinstance(value, str):
        raise ValueError(f"expected an offset such as T-7d or T+2h30m, got {value!r}")
    try:
        return check_offset(parse_offset(clean_text(value, max_length=40)))
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _due_date(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a due date such as 2026-12-01 or 2026-12-01T17:00, got {value!r}")
    try:
        return check_due_text(clean_text(value, max_length=40))
    except DueDateError as exc:
        raise ValueError(str(exc)) from None


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return check_duration(value)
    if isinstance(value, int) and value == 0:
        return timedelta(0)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30m, 2h or 1d, got {value!r}")
    try:
        return check_duration(parse_duration(clean_text(value, max_length=40)))
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _line(max_length: int) -> Callable[[str], str]:
    return lambda value: clean_text(value, max_length=max_length)


def _long(value: str) -> str:
    return clean_text(value, max_length=LONG_TEXT_MAX, multiline=True)


def _slug(value: str) -> str:
    if not value or value != slugify(value) or len(value) > 80:
        raise ValueError(f"slug {value[:100]!r} must be 1 to 80 lower-case letters, digits and hyphens")
    return value


def _email(value: str) -> str:
    value = clean_text(value, max_length=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(f"{value!r} is not an e-mail address") from None
    return value


def _plain_data(value: dict[str, Any]) -> dict[str, Any]:
    return check_plain_data(value)  # type: ignore[no-any-return]


T = TypeVar("T")
Text = Annotated[str, AfterValidator(_long)]  # a TextField: multi-line, bounded
Ref = Annotated[str, AfterValidator(_line(200))]  # a name of something else in the file
Email = Annotated[str, AfterValidator(_email)]
Slug = Annotated[str, AfterValidator(_slug)]
Data = Annotated[dict[str, Any], AfterValidator(_plain_data)]
Entries = Annotated[list[T], Field(max_length=MAX_ENTRIES)]
# Single-line CharFields, by their column's max_length; ``Name*`` may not be empty.
Name120 = Annotated[str, Field(min_length=1), AfterValidator(_line(120))]
Name200 = Annotated[str, Field(min_length=1), AfterValidator(_line(200))]
Name300 = Annotated[str, Field(min_length=1), AfterValidator(_line(300))]
Name80 = Annotated[str, Field(min_length=1), AfterValidator(_line(80))]
Str30 = Annotated[str, AfterValidator(_line(30))]
Str60 = Annotated[str, AfterValidator(_line(60))]
Str64 = Annotated[str, AfterValidator(_line(64))]
Str80 = Annotated[str, AfterValidator(_line(80))]
Str120 = Annotated[str, AfterValidator(_line(120))]
Str150 = Annotated[str, AfterValidator(_line(150))]
Str200 = Annotated[str, AfterValidator(_line(200))]
Str300 = Annotated[str, AfterValidator(_line(300))]
Str2000 = Annotated[str, AfterValidator(_line(2000))]


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        raw = str(value).strip()
        if len(raw) > 64:
            raise ValueError(f"expected a number of at most 64 characters, got {raw[:20]!r}...")
        number = Decimal(raw)
    except ArithmeticError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if number.as_tuple().exponent < -4 or abs(number) >= Decimal("1e10"):  # type: ignore[operator]
        raise ValueError(f"{value!r}: at most 4 decimal places and 10 integer digits")
    return number


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


Offset = Annotated[timedelta, BeforeValidator(_offset), PlainSerializer(format_offset, return_type=str)]
#: A clockless plan's absolute due date, in the plan's zone (plans.duedates).
DueDate = Annotated[str, BeforeValidator(_due_date)]
Duration = Annotated[timedelta, BeforeValidator(_duration), PlainSerializer(format_duration, return_type=str)]
Number = Annotated[Decimal, BeforeValidator(_number), PlainSerializer(_plain_number)]
Level = Literal["low", "medium", "high"]
ComparatorT = Literal["<", "<=", ">", ">=", "="]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


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


class PhaseDoc(Strict):
    name: Name200
    start: Offset = timedelta(0)
    end: Offset | None = None
    after: Entries[Ref] = []  # gates: every step of the phase waits for them
    description: Text = ""
    steps: Entries[StepDoc] = []


def _clock(value: str) -> str:
    from checklists.series.times import parse_clock

    value = clean_text(value, max_length=5)
    clock = parse_clock(value)
    if value != f"{clock:%H:%M}":
        raise ValueError(f"{value!r}: write clock times as HH:MM, e.g. 09:00")
    return value


Clock = Annotated[str, AfterValidator(_clock)]
Username = Annotated[str, Field(min_length=1), AfterValidator(_line(150))]


class Aliased(Strict):
    """``from`` is a Python keyword: the field is ``start``, written ``from:`` in the file."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True, populate_by_name=True)


class RepeatDoc(Aliased):
    """An item that recurs (docs/plan-format.md, "Recurring items"): ``every`` or ``times``."""

    every: Duration | None = None
    times: Annotated[list[Clock], Field(max_length=48)] = []
    start: Offset = Field(alias="from")
    until: Offset
    grace: Duration | None = None


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
