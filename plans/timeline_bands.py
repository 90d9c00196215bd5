"""What repeats and who is on call, on the timeline (issue 16): a recurring piece of work is one row, a band
from its first to its last occurrence with a mark per occurrence (done, missed, due, to come), never a chain
of steps, so it does not bend the forecast; each role with on-call shifts is one row of segments naming who
is on call. Two queries for the series (one when the plan has none) and one for the shifts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from roles.rota.oncall import plan_shifts

from .timing import SeriesBand, series_bands

if TYPE_CHECKING:
    from collections.abc import Callable

    from roles.models import Role

    from .models import Plan

#: Beyond this many occurrences in view a series is drawn as its band only (the marks would touch).
MAX_MARKS = 200


def _state(band: SeriesBand, i: int, now: datetime) -> str:
    if i in band.done:
        return "done"
    if now > band.missed_from[i]:
        return "missed"
    return "due" if now >= band.dues[i] else "upcoming"


def series_rows(plan: Plan, band: SeriesBand, *, now: datetime, pct: Callable[[float], float]) -> dict[str, Any]:
    t0 = plan.t0
    first, last = band.dues[0], band.dues[-1]
    left, right = pct((first - t0).total_seconds()), pct((last - t0).total_seconds())
    marks = []
    if len(band.dues) <= MAX_MARKS:
        for i, due in enumerate(band.dues):
            state = _state(band, i, now)
            marks.append({"left": pct((due - t0).total_seconds()), "state": state, "title": f"#{i + 1} {state}"})
    missed = sum(1 for i in range(len(band.dues)) if _state(band, i, now) == "missed")
    return {
        "name": band.name,
        "role": band.role_name,
        "first": first,
        "last": last,
        "count": len(band.dues),
        "done": len(band.done),
        "missed": missed,
        "band": {"left": left, "width": max(right - left, 0.2)},
        "marks": marks,
    }


def timeline_bands(
    plan: Plan, *, now: datetime, role: str, roles: list[Role], pct: Callable[[float], float]
) -> dict[str, list]:
    """The rows of the timeline's "Repeats and on call" group, for one role's slug or all (``roles``: the
    plan's, already read)."""
    series = [
        series_rows(plan, band, now=now, pct=pct)
        for band in series_bands(plan)
        if band.dues and (not role or band.role_slug == role)
    ]
    by_id = {r.pk: r for r in roles}
    by_role: dict[int, list[dict[str, Any]]] = {}
    for shift in plan_shifts(plan):
        r = by_id[shift.role_id]
        if role and r.slug != role:
            continue
        left, right = pct((shift.start - plan.t0).total_seconds()), pct((shift.end - plan.t0).total_seconds())
        who = shift.person_name or "nobody"
        by_role.setdefault(r.pk, []).append(
            {
                "left": left,
                "width": max(right - left, 0.2),
                "who": who,
                "now": shift.start <= now < shift.end,
                "title": f"{who}{f' (backup {shift.backup_name})' if shift.backup_name else ''}: "
                f"{plan.local(shift.start):%a %H:%M}–{plan.local(shift.end):%a %H:%M}",
            }
        )
    on_call = [{"role": by_id[pk].name, "shifts": segs} for pk, segs in by_role.items()]
    return {"series": series, "on_call": on_call}
