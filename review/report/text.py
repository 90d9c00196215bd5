"""How the review writes times and durations: one spelling for the page, the PDF, Markdown and CSV."""

from __future__ import annotations

from datetime import datetime, timedelta

from launchcontrol.dates import moment_text
from plans.models import Plan
from plans.numbers import format_quantity
from plans.offsets import format_duration


def when(plan: Plan, moment: datetime | None) -> str:
    """``Tue 01 Dec 12:05`` in the plan's zone; ``—`` for none."""
    return "—" if moment is None else moment_text(plan.local(moment), zone=False)


def span(delta: timedelta | None) -> str:
    """``1h5m``; ``—`` for none; ``0`` under a minute."""
    if delta is None:
        return "—"
    if abs(delta) < timedelta(minutes=1):
        return "0"
    return format_duration(timedelta(minutes=int(abs(delta).total_seconds() // 60)))


def held(delta: timedelta | None) -> str:
    """A hold's length to the second, as the plan page says it (``45s``, ``2m27s``): holds are often shorter
    than a minute, and :func:`span` would say ``0`` of one that slipped T-0 by 45 s."""
    if delta is None:
        return "—"
    return format_duration(delta) if delta else "0"


def signed(delta: timedelta | None) -> str:
    """``+40m`` (late, longer), ``-5m`` (early, shorter), ``0`` under a minute, ``—`` for none."""
    if delta is None:
        return "—"
    text = span(delta)
    if text == "0":
        return text
    return ("+" if delta > timedelta(0) else "-") + text


def minutes(delta: timedelta | None) -> str:
    """Whole minutes (CSV): ``-5``, ``40``; empty for none."""
    return "" if delta is None else str(int(delta.total_seconds() // 60))


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def quantity(value: object, unit: str = "") -> str:
    return format_quantity(value, unit) if value is not None else "—"


def share(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(100 * part / whole)} %"


VERDICT = {
    "met": "Met",
    "not_met": "Not met",
    "open": "Open",
    "no_data": "No data",
    "tracked": "Tracked (no target)",
}
OUTCOME = {"on_time": "On time", "late": "Late", "skipped": "Skipped", "unfinished": "Not finished"}


def readiness(review: object) -> str:
    """``Instructors 80 % (8/10), bar 90 % at Go/No-Go``: the weakest audience at the last GO with figures."""
    found = getattr(review, "readiness_at_gate", None)
    if found is None:
        return "not recorded"
    decision, r = found
    bar = f", bar {r.bar} %" if r.bar is not None else ""
    return f"{r.audience} {r.label}{bar} at {decision.gate}"
