"""The words of a role page's row states and the counts above the page (checklists.selectors)."""

from __future__ import annotations

from typing import Any

# Row states, in the words the page shows.
STATE_LABELS = {
    "upcoming": "Upcoming",
    "due_soon": "Due soon",
    "due": "Due",
    "overdue": "Late",  # the board's word too: one meaning of late, one word for it (issue 11, finding 1)
    "done": "Done",
    "skipped": "Skipped",
    "blocked": "Blocked",
    "in_progress": "In progress",
    "unfinished": "Not finished",  # an ended launch's open row: nothing of it is due or late any more
}
#: The states a row keeps once its launch has ended (closed, aborted, rolled back: ``Plan.has_ended``).
SETTLED = frozenset({"done", "skipped"})


def settled(plan: Any, state: str) -> str:
    """A row's state as its page says it: once the launch has ended, what was not done or skipped is "Not
    finished", never upcoming, due, blocked, running or late (as on the plan page, the home page and the board)."""
    return "unfinished" if plan.has_ended and state not in SETTLED else state


def row_summary(rows: list[Any]) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]], tuple[int, int]]:
    """The counts above a role page, by state: items, then steps apart, and (items done, items). "Done"
    means the same on every page (home card, role page, board): checklist items ticked done or skipped,
    out of all the role's items; steps are counted on their own, never mixed in."""
    counts: dict[str, dict[str, int]] = {"item": {}, "step": {}}
    for row in rows:
        by_state = counts["step" if row.kind == "step" else "item"]
        by_state[row.state] = by_state.get(row.state, 0) + 1

    def listed(by_state: dict[str, int]) -> list[tuple[str, str, int]]:
        return [(state, STATE_LABELS[state], by_state[state]) for state in STATE_LABELS if by_state.get(state)]

    items = counts["item"]
    return listed(items), listed(counts["step"]), (items.get("done", 0) + items.get("skipped", 0), sum(items.values()))
