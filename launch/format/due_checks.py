"""Item due times and the plan's clock: an offset (``due: T-7d``) needs a T-0, an absolute due date
(``due_date: 2026-12-01``) is for a clockless plan only (plans.duedates)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .schema import ItemDoc, PlanDoc

Finding = tuple[tuple[Any, ...], str]


def due_items(doc: PlanDoc) -> Iterator[tuple[tuple[Any, ...], ItemDoc]]:
    """Every item and sub-item with its location."""
    for i, cl in enumerate(doc.checklists):
        for j, it in enumerate(cl.items):
            yield ("checklists", i, "items", j), it
            for k, sub in enumerate(it.items):
                yield ("checklists", i, "items", j, "items", k), sub


def due_rules(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """A clockless plan's items take ``due_date`` and no ``due``; a plan with a T-0 the other way round."""
    found: list[Finding] = []
    for loc, it in due_items(doc):
        if doc.clockless and it.due is not None:
            found.append(
                (loc + ("due",), f"a clockless plan has no T-0: item {it.title!r} has no due offset (use due_date)")
            )
        if not doc.clockless and it.due_date is not None:
            found.append(
                (
                    loc + ("due_date",),
                    f"item {it.title!r}: due_date is for a clockless plan; a plan with a T-0 uses due: T-7d",
                )
            )
    return found
