"""Checks for recurring items and on-call rotas (issue 16): the rules between a ``repeat:``'s or a
``rota:``'s own fields, and the users a rota names (these need the database: the importer calls
:func:`oncall_user_problems`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from checklists.series.times import MAX_SERIES
from roles.rota.expand import MAX_SHIFTS

from .schema import PlanDoc

if TYPE_CHECKING:
    from .loader import Parsed
    from .problems import Problem

Finding = tuple[tuple[Any, ...], str]


def _series_count(rep: Any) -> int:
    span = rep.until - rep.start
    if rep.every:
        return span // rep.every + 1
    return (span.days + 2) * len(rep.times)


def _rule_checks(at: tuple[Any, ...], rep: Any, what: str) -> list[Finding]:
    """The rules between a ``repeat:``'s own fields (an item's or a step's: ``what`` names it)."""
    found: list[Finding] = []
    if (rep.every is None) == (not rep.times):
        found.append((at, f"{what}: repeat needs every (an interval) or times (clock times), one of them"))
    elif rep.every is not None and rep.every <= timedelta(0):
        found.append((at + ("every",), "every must be longer than 0"))
    if rep.until < rep.start:
        found.append((at + ("until",), f"{what}: the repeat ends (until) before it starts (from)"))
    elif not found and _series_count(rep) > MAX_SERIES:
        found.append((at, f"{what} would repeat more than {MAX_SERIES} times"))
    if rep.grace is not None and rep.grace <= timedelta(0):
        found.append((at + ("grace",), "grace must be longer than 0"))
    return found


def _repeat_rules(loc: tuple[Any, ...], item: Any, clockless: bool) -> list[Finding]:
    at = loc + ("repeat",)
    if clockless:
        return [(at, f"a clockless plan has no T-0: item {item.title!r} cannot repeat")]
    found = _rule_checks(at, item.repeat, f"item {item.title!r}")
    if item.due is not None:
        found.append((loc + ("due",), f"item {item.title!r} repeats: each occurrence is due on its own, drop due"))
    if item.gate is not None:
        found.append((loc + ("gate",), f"item {item.title!r} repeats: a gate criterion cannot (it is never done)"))
    if item.items:
        found.append((loc + ("items",), f"item {item.title!r} repeats: it cannot have sub-items"))
    return found


def repeat_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    for i, cl in enumerate(doc.checklists):
        for j, item in enumerate(cl.items):
            loc = ("checklists", i, "items", j)
            if item.repeat is not None:
                found += _repeat_rules(loc, item, doc.clockless)
            for k, sub in enumerate(item.items):
                if sub.repeat is not None:
                    found.append((loc + ("items", k, "repeat"), "a sub-item cannot repeat (make it an item)"))
    return found


def step_repeat_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """A recurring step is in no chain of steps: it has no at (its repeat's from places it), no after, no
    depends_on, no deadline, and no step is placed after it or depends on it."""
    found: list[Finding] = []
    recurring = {s.name for _, s in steps if s.repeat is not None}
    for loc, step in steps:
        if step.repeat is not None:
            what = f"step {step.name!r}"
            if doc.clockless:
                found.append((loc + ("repeat",), f"a clockless plan has no T-0: {what} cannot repeat"))
                continue
            found += _rule_checks(loc + ("repeat",), step.repeat, what)
            if not step.lead:
                found.append((loc + ("repeat",), f"{what} repeats: give it a lead (the role that ticks it)"))
            for key in ("at", "after", "depends_on", "deadline"):
                if getattr(step, key) not in (None, []):
                    found.append((loc + (key,), f"{what} repeats: it is in no chain of steps, drop {key}"))
        for key in ("after", "depends_on"):
            for j, name in enumerate(getattr(step, key)):
                if name in recurring:
                    found.append(
                        (loc + (key, j), f"step {name!r} repeats: step {step.name!r} cannot wait for it ({key})")
                    )
    for i, cl in enumerate(doc.checklists):  # an item done with a step would wait for one that never ends
        for j, item in enumerate(cl.items):
            if item.step in recurring:
                found.append(
                    (("checklists", i, "items", j, "step"), f"step {item.step!r} repeats: an item cannot belong to it")
                )
    found += [
        (("gates", i, "step"), f"step {g.step!r} repeats: gate {g.name!r} cannot belong to it")
        for i, g in enumerate(doc.gates)
        if g.step in recurring
    ]
    return found


def rota_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    for i, role in enumerate(doc.roles):
        loc = ("roles", i)
        if (role.rota is not None or role.shifts) and doc.clockless:
            found.append((loc + ("rota" if role.rota else "shifts",), "a clockless plan has no T-0: no on-call shifts"))
            continue
        if role.rota is not None and role.shifts:
            found.append((loc + ("shifts",), f"role {role.name!r}: give rota or shifts, not both"))
        rota = role.rota
        if rota is not None:
            if rota.shift <= timedelta(0):
                found.append((loc + ("rota", "shift"), "a shift must be longer than 0"))
            elif rota.until <= rota.start:
                found.append((loc + ("rota", "until"), f"role {role.name!r}: the rota ends (until) before it starts"))
            elif (rota.until - rota.start) / rota.shift > MAX_SHIFTS:
                found.append((loc + ("rota", "shift"), f"role {role.name!r}: more than {MAX_SHIFTS} shifts"))
        for k, shift in enumerate(role.shifts):
            if shift.until <= shift.start:
                found.append((loc + ("shifts", k, "until"), f"role {role.name!r}: a shift ends before it starts"))
    return found


def oncall_user_problems(parsed: Parsed) -> list[Problem]:
    """Every username a rota or a shift names must be an active user (one query)."""
    from django.contrib.auth import get_user_model

    from .problems import Problem

    named: list[tuple[tuple[Any, ...], str, str]] = []
    for i, role in enumerate(parsed.doc.roles):
        if role.rota is not None:
            named += [(("roles", i, "rota", "people", j), u, role.name) for j, u in enumerate(role.rota.people)]
            named += [(("roles", i, "rota", "backups", j), u, role.name) for j, u in enumerate(role.rota.backups)]
        for k, shift in enumerate(role.shifts):
            named.append((("roles", i, "shifts", k, "person"), shift.person, role.name))
            if shift.backup:
                named.append((("roles", i, "shifts", k, "backup"), shift.backup, role.name))
    if not named:
        return []
    active = dict(
        get_user_model().objects.filter(username__in={u for _, u, _ in named}).values_list("username", "is_active")
    )
    return [
        Problem(
            parsed.line(loc),
            f"user {username!r} on the rota of role {role!r}: the account is inactive: choose an active user"
            if username in active
            else f"unknown user {username!r} on the rota of role {role!r}",
        )
        for loc, username, role in named
        if not active.get(username)
    ]


SERIES_CHECKS = (repeat_checks, step_repeat_checks, rota_checks)
