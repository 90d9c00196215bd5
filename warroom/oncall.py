"""The board's part of issue 16: recurring items (their current occurrence among the next 30 minutes and
the late lines, and in each role's counts) and who is on call now, per role with a rota. Read in a fixed
number of queries: the series and their ticks (two, only when the plan has recurring items) and the shifts
(one, only when a role has shifts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from checklists.series.state import Series, plan_series
from plans.wallclock import offset_of
from roles.people import deactivated
from roles.rota.oncall import next_shift, on_call_at, plan_shifts

if TYPE_CHECKING:
    from plans.models import Plan

WINDOW = timedelta(minutes=30)


@dataclass
class OnCallRow:
    """A role with a rota on the board: who is on call now (and their backup) and who is next."""

    role: str
    person: str  # "" when no shift covers now: the role's primary is paged
    backup: str
    until: datetime | None
    next_person: str = ""
    next_at: datetime | None = None
    inactive: bool = False  # the person on call (or their backup) is deactivated: the row is marked
    fallback: str = ""  # the role's primary (its backup for a deactivated one), paged when nobody is on call


def series_of(plan: Plan, now: datetime, roles: list[Any], unowned: Any) -> list[Series]:
    """The plan's recurring items and steps, counted into their role's row (``roles``' ``series`` says how many
    each has): a series is done once every occurrence is past, late while its current occurrence is."""
    if not any(r.series for r in [*roles, unowned]):
        return []
    found = plan_series(plan, now=now)
    by_id = {r.pk: r for r in roles}
    for s in found:
        row = by_id.get(s.role_id) if s.role_id is not None else unowned
        if row is None:
            continue
        if s.kind == "step":  # a recurring step is not among the step rows (plans.schedule)
            row.steps_total += 1
            row.steps_done += s.state.over
        else:
            row.done += s.state.over
        row.late += s.state.late
    return found


def series_entries(series: list[Series], plan: Plan, now: datetime, entry: Any) -> tuple[list[Any], int]:
    """Lines of "next 30 minutes" for the series (``entry`` builds one): the current occurrence (due or
    late) or the next one when it is due within the window; and how many of them are late."""
    out: list[Any] = []
    late = 0
    for s in series:
        slot = s.state.current or s.state.next
        if slot is None or slot.due > now + WINDOW:
            continue
        is_late = s.state.late and slot is s.state.current
        missed = f" · {s.state.missed} missed" if s.state.missed else ""
        late += is_late
        title = f"{s.title} #{slot.number} of {s.state.total}{missed}"
        out.append(entry(s.kind, title, s.role_name, slot.due, offset_of(plan, slot.due), is_late))
    return out, late


def on_call_rows(plan: Plan, now: datetime, roles: list[Any]) -> list[OnCallRow]:
    """Per role with shifts (``roles``' ``rota`` flag), who is on call now and next (one query)."""
    with_rota = {r.pk: r for r in roles if r.rota}
    if not with_rota:
        return []
    shifts = plan_shifts(plan, role_ids=list(with_rota))
    now_on = on_call_at(shifts, now)
    rows = []
    for pk, role in with_rota.items():
        cur, nxt = now_on.get(pk), next_shift(shifts, pk, now)
        rows.append(
            OnCallRow(
                role=role.name,
                person=cur.person_name if cur else "",
                backup=cur.backup_name if cur else "",
                until=cur.end if cur else None,
                inactive=cur is not None and any(deactivated(u) for u in (cur.person, cur.backup)),
                next_person=nxt.person_name if nxt else "",
                next_at=nxt.start if nxt else None,
                fallback=role.paged,
            )
        )
    return rows
