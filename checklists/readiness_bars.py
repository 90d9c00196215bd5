"""A gate's readiness bars (issue 13): criteria bound to a training track's figure, read live from the
readiness app below (``readiness.figures``). A figure under its bar blocks GO, naming who is missing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.figures import TrackFigure, figures_of, figures_snapshot, plan_figures
from readiness.models import Attendee

from .models import Gate, ReadinessBar

MISSING_SHOWN = 5


@dataclass(frozen=True)
class BarState:
    bar: ReadinessBar
    figure: TrackFigure

    @property
    def met(self) -> bool:
        return self.figure.meets(self.bar.minimum)

    @property
    def title(self) -> str:
        return f"{self.bar.track.name} trained ≥ {self.bar.minimum} %"

    def blocker(self) -> str:
        names = [a.name for a in self.figure.missing]
        who = ", ".join(names[:MISSING_SHOWN]) + (f" and {len(names) - MISSING_SHOWN} more" if len(names) > 5 else "")
        return f"Readiness “{self.title}” is {self.figure.label}" + (f": missing {who}." if who else ".")


def bar_states(bars: Iterable[ReadinessBar]) -> list[BarState]:
    """The bars (with their tracks loaded) and their live figures (1 query, none without bars)."""
    bars = list(bars)
    if not bars:
        return []
    tracks = {b.track.pk: b.track for b in bars}
    attendees = Attendee.objects.filter(track_id__in=list(tracks)).order_by("order", "id")
    figures = {f.track.pk: f for f in figures_of(tracks.values(), attendees)}
    return [BarState(b, figures[b.track_id]) for b in bars]


def gate_readiness(gate: Gate) -> list[BarState]:
    """The gate's bars and figures (2 queries; 1 when it has none)."""
    return bar_states(ReadinessBar.objects.filter(gate=gate).select_related("track").order_by("order", "id"))


def readiness_snapshot(gate: Gate) -> list[dict]:
    """Every track's figure at this moment, for the decision's event (the review's “readiness at the gate”)."""
    figures = plan_figures(gate.plan_id)
    if not figures:
        return []
    bars = dict(ReadinessBar.objects.filter(gate=gate).values_list("track_id", "minimum"))
    return figures_snapshot(figures, bars)
