"""The API's shapes for a plan's staged rollout (plans.rollout): in the live state, and the bodies of the
advance and rollback calls. Bodies forbid unknown fields, as everywhere in the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class StageOut(Schema):
    number: int = Field(description="1 for the first stage.")
    name: str
    percent: int
    soak_seconds: float = Field(description="The stage's minimum soak.")
    metrics: list[str] = Field(description="The metrics that must be on target to advance from it.")


class HealthOut(Schema):
    metric: str
    slug: str
    status: Literal["on", "off", "none"] = Field(description="on/off target, or none: no reading in this stage.")
    value: Decimal | None
    recorded_at: datetime | None


class ProposalOut(Schema):
    trigger: str
    since: datetime
    back_to_percent: int | None = Field(description="The previous stage's traffic; null at the first stage.")


class RolloutOut(Schema):
    """Where the staged rollout stands. ``stage`` is null before the first stage."""

    authority: str
    stage: StageOut | None
    started_at: datetime | None
    soak_ends_at: datetime | None
    soak_remaining_seconds: float | None
    health: list[HealthOut]
    ready: bool = Field(description="May advance now.")
    blockers: list[str] = Field(description="Why it may not advance now, one sentence each.")
    next_stage: StageOut | None
    proposal: ProposalOut | None = Field(description="A breach during the stage proposes a rollback.")
    stages: list[StageOut]


class _Body(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AdvanceIn(_Body):
    from_stage: int | None = Field(
        None,
        ge=0,
        le=100,
        description="The stage number you saw (0: not started). If it moved meanwhile, nothing "
        "happens: a retried call advances once.",
    )


class RollbackIn(AdvanceIn):
    to: Literal["stage", "launch"] = Field(
        description="stage: back to the previous stage; launch: roll the launch back."
    )
    reason: str = Field(min_length=1, max_length=2000)
