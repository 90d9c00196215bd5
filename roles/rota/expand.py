"""A rota's shifts: from ``start``, shifts of ``length`` in turn until ``until`` (the last one may be
shorter)."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

#: A rota makes at most this many shifts (a year of 8-hour shifts is 1095).
MAX_SHIFTS = 2000


class ShiftSpec(NamedTuple):
    start: timedelta
    end: timedelta
    person: str
    backup: str | None


def rota_shifts(
    *, start: timedelta, until: timedelta, length: timedelta, people: list[str], backups: list[str]
) -> list[ShiftSpec]:
    """The shifts, people taking them in turn; each backed up by ``backups`` in turn, or by the next person
    of the rota (nobody when there is one person)."""
    if length <= timedelta(0) or not people or until <= start:
        return []
    out: list[ShiftSpec] = []
    k = 0
    while start + length * k < until and k < MAX_SHIFTS:
        begin = start + length * k
        person = people[k % len(people)]
        if backups:
            backup: str | None = backups[k % len(backups)]
        else:
            backup = people[(k + 1) % len(people)] if len(people) > 1 else None
        out.append(ShiftSpec(begin, min(begin + length, until), person, backup))
        k += 1
    return out
