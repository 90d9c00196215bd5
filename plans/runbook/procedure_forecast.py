"""When a called procedure (rollback, abort) will be done (pure functions; the board shows it).

Its steps run one after the other from the moment the launch called it. A step ticked done ends when it
was ticked; the first open step runs from the later of the call and the last tick, for its estimate, and
never ends before now (it has run over); each next one follows it. A step without an estimate counts as
zero, so a procedure none of whose steps has an estimate has no forecast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ProcedureForecast:
    planned_end: datetime  # the call plus every step's estimate
    end: datetime  # the forecast end (the last tick once every step is done)
    done: bool

    @property
    def slip(self) -> timedelta:
        return self.end - self.planned_end


def procedure_forecast(
    steps: Sequence[tuple[timedelta | None, datetime | None]], *, called_at: datetime | None, now: datetime
) -> ProcedureForecast | None:
    """``steps``: each step's (estimate, done_at), in order."""
    if called_at is None or not steps or not any(estimate for estimate, _ in steps):
        return None
    planned_end = called_at + sum((estimate or timedelta(0) for estimate, _ in steps), timedelta(0))
    ticks = [done_at for _, done_at in steps if done_at is not None]
    cursor = max([called_at, *ticks])
    remaining = [estimate or timedelta(0) for estimate, done_at in steps if done_at is None]
    if not remaining:
        return ProcedureForecast(planned_end, cursor, done=True)
    cursor = max(cursor + remaining[0], now)
    for estimate in remaining[1:]:
        cursor += estimate
    return ProcedureForecast(planned_end, cursor, done=False)
