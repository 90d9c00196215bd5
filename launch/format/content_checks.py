"""Checks for runbook content (issue 10): placeholders, procedures, rollback-trigger kinds, nested items."""

from __future__ import annotations

from typing import Any

from plans.runbook.values import placeholder_value
from plans.validators import BoundsError

from .schema import PlanDoc

Finding = tuple[tuple[Any, ...], str]


def _ref(loc: tuple[Any, ...], value: str | None, known: set[str], what: str) -> list[Finding]:
    return [(loc, f"unknown {what} {value!r}")] if value is not None and value not in known else []


def _unique(entries: list[tuple[tuple[Any, ...], str]], what: str) -> list[Finding]:
    seen: set[str] = set()
    found: list[Finding] = []
    for loc, value in entries:
        if value.casefold() in seen:
            found.append((loc, f"duplicate {what} {value!r}"))
        seen.add(value.casefold())
    return found


def placeholder_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    gates = {g.name for g in doc.gates}
    found = _unique([(("placeholders", i, "name"), p.name) for i, p in enumerate(doc.placeholders)], "placeholder")
    for i, p in enumerate(doc.placeholders):
        for j, g in enumerate(p.gates):
            found += _ref(("placeholders", i, "gates", j), g, gates, "gate")
        try:
            placeholder_value(p.kind, p.value, field=f"placeholders[{i}].value")
        except BoundsError as exc:
            found.append((("placeholders", i, "value"), str(exc)))
    return found


def procedure_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = {r.name for r in doc.roles}
    found = _unique([(("procedures", i, "name"), p.name) for i, p in enumerate(doc.procedures)], "procedure")
    for i, proc in enumerate(doc.procedures):
        found += _ref(("procedures", i, "lead"), proc.lead, roles, "role")
        found += _unique(
            [(("procedures", i, "steps", j, "name"), s.name) for j, s in enumerate(proc.steps)], "procedure step"
        )
        for j, s in enumerate(proc.steps):
            found += _ref(("procedures", i, "steps", j, "lead"), s.lead, roles, "role")
    return found


def trigger_kind_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = {r.name for r in doc.roles}
    found: list[Finding] = []
    for i, t in enumerate(doc.rollback_triggers):
        loc = ("rollback_triggers", i)
        for j, r in enumerate(t.roles):
            found += _ref(loc + ("roles", j), r, roles, "role")
        if t.kind == "automatic" and t.metric is None:
            found.append((loc + ("kind",), "an automatic trigger needs a metric (a person raises a discretionary one)"))
        if t.kind == "discretionary" and t.metric is not None:
            found.append((loc + ("metric",), "a discretionary trigger has no metric: drop metric or make it automatic"))
        if t.threshold is not None and t.comparator is None:
            found.append((loc + ("threshold",), "a threshold needs a comparator"))
        if (t.window_start is not None or t.window_end is not None) and t.metric is None:
            found.append((loc + ("window_start",), "a window applies to an automatic trigger (one with a metric)"))
        if t.window_start is not None and t.window_end is not None and t.window_end < t.window_start:
            found.append((loc + ("window_end",), "the window ends before it starts"))
    return found


def nested_item_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    for i, cl in enumerate(doc.checklists):
        for j, item in enumerate(cl.items):
            for k, sub in enumerate(item.items):
                if sub.items:
                    found.append((("checklists", i, "items", j, "items", k, "items"), "sub-items nest one level only"))
    return found


def phase_after_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """A phase's ``after`` names gates (every step of the phase waits for them); cycles through it are
    found with the steps' (checks._cycles)."""
    steps_named = {s.name for _, s in steps}
    gates = {g.name for g in doc.gates}
    criteria = {(it.gate, it.step) for cl in doc.checklists for it in cl.items if it.gate and it.step}
    found: list[Finding] = []
    for i, p in enumerate(doc.phases):
        for j, name in enumerate(p.after):
            if name in steps_named:
                why = f"phase {p.name!r} waits for gates only: {name!r} is a step (place the phase's steps after it)"
                found.append((("phases", i, "after", j), why))
                continue
            found += _ref(("phases", i, "after", j), name, gates, "gate")
            own = [s.name for s in p.steps if (name, s.name) in criteria]
            if own:
                why = f"dependency cycle: phase {p.name!r} waits for gate {name!r}"
                why += f", whose criteria name its step {own[0]!r}"
                found.append((("phases", i, "after", j), why))
    return found


def issue_category_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """Issue categories (issue 16): names unique, case-insensitively."""
    return _unique([(("issue_categories", i), name) for i, name in enumerate(doc.issue_categories)], "issue category")


CONTENT_CHECKS = (
    phase_after_checks,
    placeholder_checks,
    procedure_checks,
    trigger_kind_checks,
    nested_item_checks,
    issue_category_checks,
)
