"""Who is on call: the shift covering a moment (shifts follow the wall-clock rule of
:meth:`plans.models.Plan.at`), and the people an escalation or a page for a role goes to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..people import acting, deactivated
from .models import Shift

if TYPE_CHECKING:
    from plans.models import Plan


@dataclass(frozen=True)
class OnCall:
    """A shift as the pages show it: its role, person, backup and real start and end."""

    role_id: int
    person: Any
    backup: Any
    start: datetime
    end: datetime
    shift_id: int

    @property
    def person_name(self) -> str:
        return _name(self.person)

    @property
    def backup_name(self) -> str:
        return _name(self.backup)


def _name(user: Any) -> str:
    """The name pages show, marked when the account is deactivated (nothing is sent to them)."""
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()) + (" (inactive)" if deactivated(user) else "")


def plan_shifts(plan: Plan, *, role_ids: Iterable[int] | None = None) -> list[OnCall]:
    """The plan's shifts (of ``role_ids`` only, if given) with their people, by start: one query."""
    rows = Shift.objects.filter(plan=plan).select_related("person", "backup").order_by("start", "id")
    if role_ids is not None:
        rows = rows.filter(role_id__in=list(role_ids))
    return [OnCall(s.role_id, s.person, s.backup, plan.at(s.start), plan.at(s.end), s.pk) for s in rows]


def on_call_at(shifts: Iterable[OnCall], moment: datetime) -> dict[int, OnCall]:
    """Per role, the shift covering ``moment`` (start included, end excluded; the earliest-starting one
    when shifts overlap)."""
    out: dict[int, OnCall] = {}
    for shift in shifts:
        if shift.start <= moment < shift.end and shift.role_id not in out:
            out[shift.role_id] = shift
    return out


def next_shift(shifts: Iterable[OnCall], role_id: int, moment: datetime) -> OnCall | None:
    """The role's next shift starting after ``moment``."""
    later = [s for s in shifts if s.role_id == role_id and s.start > moment]
    return min(later, key=lambda s: s.start) if later else None


def page_people(role: Any, on_call: OnCall | None) -> Iterator[tuple[Any, str]]:
    """Whom to page for ``role``: the person on call and their backup, each once; with no shift covering
    the moment (or nobody active on it), the role's primary and backup. A deactivated account is passed
    over (``roles.people.acting``); when nobody is active, the deactivated are given, so that what they would
    have been sent is recorded as skipped saying so."""
    shift = ((on_call.person, "on call"), (on_call.backup, "on-call backup")) if on_call is not None else ()
    on_shift = acting(shift)
    if on_shift and not deactivated(on_shift[0][0]):
        yield from on_shift
        return
    holders = acting(((role.primary, "primary"), (role.backup, "backup")))
    yield from holders if holders and not deactivated(holders[0][0]) else (on_shift or holders)
