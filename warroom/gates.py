"""The gates panel's order: the gates that matter to the room first, as a VP reads the big screen.

A gate decided NO-GO first, then those being polled, then the pending ones by when they are due (the
overdue and the next first; a gate with no time after those with one), and the passed gates last (the
latest decision first): the board shows the rows that fit and counts the rest in "+N more gates"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from checklists.models import Gate, GateStatus

RANK = {GateStatus.NO_GO: 0, GateStatus.POLLING: 1, GateStatus.PENDING: 2, GateStatus.PASSED: 3}
NEVER = timedelta.max


def by_relevance(gates: Iterable[Gate]) -> list[Gate]:
    """``gates`` (in the plan's order), the most relevant first; the plan's order breaks ties."""
    listed = list(gates)

    def key(item: tuple[int, Gate]) -> tuple[int, timedelta, float, int]:
        n, g = item
        rank = RANK.get(GateStatus(g.status), len(RANK))
        if g.status == GateStatus.PASSED:  # the latest decision first
            decided = -g.decided_at.timestamp() if g.decided_at else 0.0
            return rank, timedelta(0), decided, n
        return rank, g.offset if g.offset is not None else NEVER, 0.0, n

    return [g for _, g in sorted(enumerate(listed), key=key)]


def passed(gates: Iterable[Gate]) -> int:
    return sum(g.status == GateStatus.PASSED for g in gates)
