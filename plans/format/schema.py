"""The plan format's schema: pydantic v2 models, ``extra="forbid"`` everywhere so a typo is an error.

Offsets (``T-7d``) and durations (``2h30m``) are validated by the same parser the app uses
(:mod:`plans.offsets`); cross-references (role, step, metric, gate, channel names), duplicate names
and dependency cycles are checked in :mod:`plans.format.checks`, which knows where each value sits.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from plans.offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset

FORMAT_VERSION: Literal[1] = 1


def _offset(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an offset such as T-7d or T+2h30m, got {value!r}")
    try:
        return parse_offset(value)
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and value == 0:
        return timedelta(0)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30m, 2h or 1d, got {value!r}")
    try:
        return parse_duration(value)
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        number = Decimal(str(value).strip())
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
Duration = Annotated[timedelta, BeforeValidator(_duration), PlainSerializer(format_duration, return_type=str)]
Number = Annotated[Decimal, BeforeValidator(_number), PlainSerializer(_plain_number)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Level = Literal["low", "medium", "high"]
ComparatorT = Literal["<", "<=", ">", ">=", "="]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class StepDoc(Strict):
    name: Name
    at: Offset
    duration: Duration = timedelta(0)
    lead: str | None = None
    depends_on: list[str] = []
    verify: str = ""
    rollback: str = ""
    description: str = ""


class PhaseDoc(Strict):
    name: Name
    start: Offset = timedelta(0)
    end: Offset | None = None
    description: str = ""
    steps: list[StepDoc] = []


class RoleDoc(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    slug: str | None = None
    team: str = ""
    summary: str = ""
    responsibilities: list[str] = []
    primary: str | None = None
    backup: str | None = None
    phone: str = ""
    email: str = ""
    chat: str = ""
    attributes: dict[str, Any] = {}


class ContactDoc(Strict):
    label: Annotated[str, Field(min_length=1, max_length=120)]
    kind: Literal["primary", "emergency", "vendor", "escalation", "media", "other"] = "other"
    name: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    role: str | None = None


class EscalationDoc(Strict):
    level: Annotated[int, Field(ge=0, le=32767)]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    after: Duration = timedelta(0)
    until: Duration | None = None
    roles: list[str] = []
    condition: str = ""
    notes: str = ""


class SeverityDoc(Strict):
    severity: Literal["critical", "high", "medium", "low"]
    response: Duration
    resolve: Duration | None = None
    description: str = ""


class ItemDoc(Strict):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    section: str = ""
    role: str | None = None  # omitted: the checklist's role; `null`: no owner
    step: str | None = None
    gate: str | None = None
    due: Offset | None = None
    required: bool = True


class ChecklistDoc(Strict):
    name: Name
    role: str | None = None
    phase: str | None = None
    description: str = ""
    items: list[ItemDoc] = []


class GateDoc(Strict):
    name: Name
    slug: str | None = None
    kind: Literal["go_no_go", "launch_authorization", "readiness", "validation"] = "go_no_go"
    at: Offset | None = None
    step: str | None = None
    description: str = ""
    authority: str | None = None
    polled: list[str] = []
    triggers: list[Annotated[str, Field(min_length=1, max_length=300)]] = []


class RiskDoc(Strict):
    title: Name
    description: str = ""
    probability: Level | None = None
    impact: Level | None = None
    mitigation: list[str] = []
    rollback: str = ""
    owner: str | None = None


class MetricDoc(Strict):
    name: Name
    category: str = ""
    comparator: ComparatorT | None = None
    target: Number | None = None
    unit: str = ""
    window: str = ""
    description: str = ""


class RollbackTriggerDoc(Strict):
    description: Annotated[str, Field(min_length=1, max_length=300)]
    metric: str | None = None
    comparator: ComparatorT | None = None
    threshold: Number | None = None
    sustained_for: Duration | None = None


class ChannelDoc(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    kind: Literal["email", "webhook", "status_page", "chat", "other"]
    target: str = ""
    purpose: str = ""
    enabled: bool = True


class MessageDoc(Strict):
    name: Name
    kind: Literal["announcement", "status_update", "eod_report", "custom"] = "announcement"
    audience: Literal["staff", "executives", "users", "partners", "public"] = "staff"
    channels: list[str] = []
    at: Offset
    every: Duration | None = None
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None  # communications.models.MAX_OCCURRENCES
    subject: str = ""
    body: str = ""
    requires_approval: bool = False
    enabled: bool = True


class PlanDoc(Strict):
    format: Literal[1] = FORMAT_VERSION
    name: Name
    slug: str | None = None
    summary: str = ""
    timezone: str | None = None
    reminder_lead: Duration = timedelta(minutes=15)
    extra: dict[str, Any] = {}
    roles: list[RoleDoc] = []
    contacts: list[ContactDoc] = []
    escalation: list[EscalationDoc] = []
    severity_slas: list[SeverityDoc] = []
    phases: list[PhaseDoc] = []
    steps: list[StepDoc] = Field(default=[], description="Steps outside any phase.")
    gates: list[GateDoc] = []
    checklists: list[ChecklistDoc] = []
    risks: list[RiskDoc] = []
    metrics: list[MetricDoc] = []
    rollback_triggers: list[RollbackTriggerDoc] = []
    channels: list[ChannelDoc] = []
    messages: list[MessageDoc] = []
