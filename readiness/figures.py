"""A track's readiness figure: how many of its expected attendees completed, as a whole per cent
(rounded down, so 89.9 % never reads as 90 %), and who is missing. Pure over rows the caller loaded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from plans.models import Plan

from .models import Attendee, ReadinessItem, Track


@dataclass(frozen=True)
class TrackFigure:
    track: Track
    expected: int
    completed: int
    missing: list[Attendee] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        """None while nobody is expected: a bar on such a track is not met."""
        return None if not self.expected else self.completed * 100 // self.expected

    def meets(self, minimum: int) -> bool:
        return self.percent is not None and self.percent >= minimum

    @property
    def label(self) -> str:
        if self.percent is None:
            return "no attendees expected"
        return f"{self.percent} % ({self.completed}/{self.expected})"


def figures_of(tracks: Iterable[Track], attendees: Iterable[Attendee]) -> list[TrackFigure]:
    by_track: dict[int, list[Attendee]] = {}
    for a in attendees:
        by_track.setdefault(a.track_id, []).append(a)
    figures = []
    for t in tracks:
        rows = by_track.get(t.pk, [])
        missing = [a for a in rows if a.completed_at is None]
        figures.append(TrackFigure(t, expected=len(rows), completed=len(rows) - len(missing), missing=missing))
    return figures


def plan_figures(plan: Plan | int) -> list[TrackFigure]:
    """Every track of the plan with its figure (2 queries)."""
    pid = plan if isinstance(plan, int) else plan.pk
    tracks = list(Track.objects.filter(plan_id=pid).order_by("order", "id"))
    return figures_of(tracks, Attendee.objects.filter(track__plan_id=pid).order_by("order", "id"))


def track_figures(track_ids: Iterable[int]) -> dict[int, TrackFigure]:
    """The figures of the given tracks, by track id (2 queries)."""
    ids = list(track_ids)
    tracks = list(Track.objects.filter(pk__in=ids))
    return {
        f.track.pk: f for f in figures_of(tracks, Attendee.objects.filter(track_id__in=ids).order_by("order", "id"))
    }


def figures_snapshot(figures: Iterable[TrackFigure], bars: dict[int, int] | None = None) -> list[dict]:
    """Plain values for an event's data (what the review shows as “readiness at the gate”); ``bars``: the
    minimum per cent a gate asks of a track, by track id (``bar`` is null for a track it does not read)."""
    bars = bars or {}
    return [
        {
            "track": f.track.name,
            "slug": f.track.slug,
            "percent": f.percent,
            "completed": f.completed,
            "expected": f.expected,
            "bar": bars.get(f.track.pk),
        }
        for f in figures
    ]


@dataclass(frozen=True)
class RoleItems:
    role_name: str
    role_slug: str
    items: list[ReadinessItem]

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.done_at is not None)


def items_by_role(items: Iterable[ReadinessItem]) -> list[RoleItems]:
    """Readiness items grouped by role, in the plan's role order (items carry their role)."""
    groups: dict[int, RoleItems] = {}
    for item in items:
        if item.role_id not in groups:
            groups[item.role_id] = RoleItems(item.role.name, item.role.slug, [])
        groups[item.role_id].items.append(item)
    return list(groups.values())
