"""Who is on call: the shift covering a moment (shifts follow the wall-clock rule of
:meth:`plans.models.Plan.at`), and the people an escalation or a page for a role goes to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


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
    the moment (or nobody on it), the role's primary and backup."""
    seen: set[int] = set()
    if on_call is not None:
        for user, which in ((on_call.person, "on call"), (on_call.backup, "on-call backup")):
            if user is not None and user.pk not in seen:
                seen.add(user.pk)
                yield user, which
    if seen:
        return
    for user, which in ((role.primary, "primary"), (role.backup, "backup")):
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            yield user, which
