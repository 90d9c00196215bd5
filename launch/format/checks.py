"""Checks the schema cannot express on one field: names are unique, references resolve, no cycles."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from plans.offsets import format_offset
from plans.validators import OFFSET_LIMIT

from .content_checks import CONTENT_CHECKS
from .due_checks import due_rules
from .schema import PlanDoc
from .section_checks import LATER_SECTION_CHECKS
from .series_checks import SERIES_CHECKS
from .slugs import role_slug

Finding = tuple[tuple[Any, ...], str]


def all_steps(doc: PlanDoc) -> list[tuple[tuple[Any, ...], Any]]:
    """Every step with its location: inside phases first, in file order, then phase-less ones."""
    out: list[tuple[tuple[Any, ...], Any]] = [
        (("phases", p, "steps", s), step) for p, phase in enumerate(doc.phases) for s, step in enumerate(phase.steps)
    ]
    out += [(("steps", s), step) for s, step in enumerate(doc.steps)]
    return out


def _unique(entries: Iterable[tuple[tuple[Any, ...], str]], what: str) -> list[Finding]:
    seen: dict[str, tuple[Any, ...]] = {}
    found: list[Finding] = []
    for loc, value in entries:
        key = value.casefold()
        if key in seen:
            found.append((loc, f"duplicate {what} {value!r}"))
        else:
            seen[key] = loc
    return found


def _unique_slugs(entries: Iterable[tuple[tuple[Any, ...], str, str | None]], what: str) -> list[Finding]:
    """Slugs are unique too, but two entries with the same name already have their finding: a slug
    made from a duplicate name is not reported again."""
    seen: dict[str, str] = {}
    found: list[Finding] = []
    for number, (loc, name, slug) in enumerate(entries, start=1):
        value = role_slug(name, slug, what, number)
        if value in seen:
            if slug or seen[value] != name.casefold():
                found.append((loc + ("slug" if slug else "name",), f"duplicate {what} slug {value!r}"))
        else:
            seen[value] = name.casefold()
    return found


def check_references(
    doc: PlanDoc, *, touched: Collection[Sequence[Any]] = (), dropped: Mapping[str, set[str]] | None = None
) -> list[Finding]:
    """Everything the schema cannot see on one field, section by section.

    For a partial parse (loader.parse_plan_partial): the entries in ``touched`` lost bad values, so the
    rules between their own fields are not checked; a reference to a name in ``dropped`` (an entry left
    out, by kind; ``"*"``: the whole list of that kind) is not called unknown."""
    steps = all_steps(doc)
    found = _unique_names(doc, steps)
    for check in SECTION_CHECKS:
        found += check(doc, steps)
    entries = [tuple(entry) for entry in touched]
    for check in ENTRY_CHECKS:
        found += [f for f in check(doc, steps) if not any(f[0][: len(e)] == e for e in entries)]
    if dropped:
        unsure = {f"unknown {kind} {name!r}" for kind, names in dropped.items() for name in names}
        unchecked = tuple(f"unknown {kind} " for kind, names in dropped.items() if "*" in names)
        found = [f for f in found if f[1] not in unsure and not f[1].startswith(unchecked)]
    return found


def _ref(loc: tuple[Any, ...], value: str | None, known: set[str], what: str) -> list[Finding]:
    if value is not None and value not in known:
        return [(loc, f"unknown {what} {value!r}")]
    return []


def _role_names(doc: PlanDoc) -> set[str]:
    return {r.name for r in doc.roles}


def _unique_names(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found = _unique(((("roles", i, "name"), r.name) for i, r in enumerate(doc.roles)), "role name")
    found += _unique_slugs(((("roles", i), r.name, r.slug) for i, r in enumerate(doc.roles)), "role")
    found += _unique(((("phases", i, "name"), p.name) for i, p in enumerate(doc.phases)), "phase name")
    found += _unique(((loc + ("name",), s.name) for loc, s in steps), "step name")
    found += _unique(((("gates", i, "name"), g.name) for i, g in enumerate(doc.gates)), "gate name")
    found += _unique_slugs(((("gates", i), g.name, g.slug) for i, g in enumerate(doc.gates)), "gate")
    found += _unique(((("checklists", i, "name"), c.name) for i, c in enumerate(doc.checklists)), "checklist name")
    found += _unique(((("metrics", i, "name"), m.name) for i, m in enumerate(doc.metrics)), "metric name")
    found += _unique(((("channels", i, "name"), c.name) for i, c in enumerate(doc.channels)), "channel name")
    found += _unique(((("messages", i, "name"), m.name) for i, m in enumerate(doc.messages)), "message name")
    found += _unique(
        ((("escalation", i, "level"), str(e.level)) for i, e in enumerate(doc.escalation)), "escalation level"
    )
    found += _unique(
        ((("severity_slas", i, "severity"), s.severity) for i, s in enumerate(doc.severity_slas)), "severity"
    )
    return found


def _step_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    step_names = {s.name for _, s in steps}
    found: list[Finding] = []
    gate_names = {g.name for g in doc.gates}
    for loc, step in steps:
        found += _ref(loc + ("lead",), step.lead, roles, "role")
        for j, dep in enumerate(step.depends_on):
            found += _ref(loc + ("depends_on", j), dep, step_names, "step")
            if dep == step.name:
                found.append((loc + ("depends_on", j), f"step {step.name!r} depends on itself"))
        for j, dep in enumerate(step.after):
            if dep not in step_names and dep not in gate_names:
                found.append((loc + ("after", j), f"unknown step or gate {dep!r} in after"))
            if dep == step.name:
                found.append((loc + ("after", j), f"step {step.name!r} comes after itself"))
    held = {s.name: doc.phases[loc[1]].after for loc, s in steps if loc[0] == "phases"}  # a phase's gates
    return found + _cycles(steps, _gate_criteria(doc), held)


def _gate_criteria(doc: PlanDoc) -> dict[str, list[str]]:
    """Per gate, the steps its criteria items name: a step after a gate also comes after them."""
    out: dict[str, list[str]] = {}
    for cl in doc.checklists:
        for item in cl.items:
            if item.gate is not None and item.step is not None:
                out.setdefault(item.gate, []).append(item.step)
    return out


def _clockless_rules(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """A clockless plan has no T-0: nothing in it may be placed by an offset."""
    if not doc.clockless:
        return []
    why = "a clockless plan has no T-0"
    found: list[Finding] = [
        (loc + ("name",), f"{why}: step {s.name!r} needs one (use a checklist item)") for loc, s in steps
    ]
    if doc.window_end is not None:
        found.append((("window_end",), f"{why}: no window_end"))
    for i, p in enumerate(doc.phases):
        if p.start or p.end is not None:
            found.append((("phases", i, "start" if p.start else "end"), f"{why}: phase {p.name!r} has no start or end"))
    found += [(("gates", i, "at"), f"{why}: gate {g.name!r} has no at") for i, g in enumerate(doc.gates) if g.at]
    found += [(("messages", i, "at"), f"{why}: no scheduled messages") for i, _ in enumerate(doc.messages)]
    return found  # items: launch.format.due_checks


def _placement_rules(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    """A step is placed by `at` or by `after`, and a step placed after others lists them all there."""
    found: list[Finding] = []
    for loc, step in steps:
        if step.at is None and not step.after and step.repeat is None:  # a repeat's from places it
            found.append((loc + ("name",), f"step {step.name!r} needs at (an offset) or after (steps or gates)"))
        elif step.at is not None and step.after:
            found.append((loc + ("after",), f"step {step.name!r}: give at or after, not both"))
        if step.after and step.depends_on:
            found.append(
                (loc + ("depends_on",), f"step {step.name!r} is placed after others: list its dependencies in after")
            )
    return found


def _contact_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    return [f for i, c in enumerate(doc.contacts) for f in _ref(("contacts", i, "role"), c.role, roles, "role")]


def _escalation_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    return [
        f
        for i, e in enumerate(doc.escalation)
        for j, r in enumerate(e.roles)
        for f in _ref(("escalation", i, "roles", j), r, roles, "role")
    ]


def _gate_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    step_names = {s.name for _, s in steps}
    found: list[Finding] = []
    for i, g in enumerate(doc.gates):
        found += _ref(("gates", i, "authority"), g.authority, roles, "role")
        found += _ref(("gates", i, "step"), g.step, step_names, "step")
        for j, r in enumerate(g.polled):
            found += _ref(("gates", i, "polled", j), r, roles, "role")
    return found


def _checklist_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    step_names = {s.name for _, s in steps}
    gates = {g.name for g in doc.gates}
    phases = {p.name for p in doc.phases}
    found: list[Finding] = []
    for i, cl in enumerate(doc.checklists):
        found += _ref(("checklists", i, "role"), cl.role, roles, "role")
        found += _ref(("checklists", i, "phase"), cl.phase, phases, "phase")
        for j, item in enumerate(cl.items):
            loc = ("checklists", i, "items", j)
            found += _ref(loc + ("role",), item.role, roles, "role")
            found += _ref(loc + ("step",), item.step, step_names, "step")
            found += _ref(loc + ("gate",), item.gate, gates, "gate")
            for k, sub in enumerate(item.items):
                sub_loc = loc + ("items", k)
                found += _ref(sub_loc + ("role",), sub.role, roles, "role")
                found += _ref(sub_loc + ("step",), sub.step, step_names, "step")
                found += _ref(sub_loc + ("gate",), sub.gate, gates, "gate")
    return found


def _risk_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    roles = _role_names(doc)
    return [f for i, r in enumerate(doc.risks) for f in _ref(("risks", i, "owner"), r.owner, roles, "role")]


def _rollback_trigger_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    metrics = {m.name for m in doc.metrics}
    return [
        f
        for i, t in enumerate(doc.rollback_triggers)
        for f in _ref(("rollback_triggers", i, "metric"), t.metric, metrics, "metric")
    ]


def _rollback_trigger_rules(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    return [
        (("rollback_triggers", i, "metric"), "a trigger bound to a metric needs a comparator")
        for i, t in enumerate(doc.rollback_triggers)
        if t.metric is not None and t.comparator is None
    ]


def _metric_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    return [
        (("metrics", i, "name"), f"metric {m.name!r}: give both comparator and target, or neither")
        for i, m in enumerate(doc.metrics)
        if (m.target is None) != (m.comparator is None)
    ]


def _messages_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    channels = {c.name for c in doc.channels}
    return [
        f
        for i, msg in enumerate(doc.messages)
        for j, ch in enumerate(msg.channels)
        for f in _ref(("messages", i, "channels", j), ch, channels, "channel")
    ] + [f for i, msg in enumerate(doc.messages) for f in _message_templates(i, msg, doc)]


def _message_rules(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    for i, msg in enumerate(doc.messages):
        if msg.count is not None and msg.every is None:
            found.append((("messages", i, "count"), "count needs every (a recurring message)"))
        if msg.every is not None and msg.count is not None:
            last = msg.at + msg.every * (msg.count - 1)
            if abs(last) > OFFSET_LIMIT:
                found.append(
                    (
                        ("messages", i, "count"),
                        f"message {msg.name!r}: its last send falls at {format_offset(last)}, beyond "
                        f"±{OFFSET_LIMIT.days} days of T-0",
                    )
                )
        found += _message_limits(i, msg)
    return found


def _phase_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    return [
        (("phases", i, "end"), f"phase {p.name!r} ends before it starts")
        for i, p in enumerate(doc.phases)
        if p.end is not None and p.end < p.start
    ]


def _message_limits(i: int, msg: Any) -> list[Finding]:
    """How often a message may recur (communications.models)."""
    from communications.models import occurrence_limit_problems

    return [
        (("messages", i, name), f"messages[{i}].{name}: {problem}")
        for name, problem in occurrence_limit_problems(every=msg.every, count=msg.count).items()
    ]


def _message_templates(i: int, msg: Any, doc: PlanDoc) -> list[Finding]:
    """A message's templates (communications/templating/): the line is the key's, the message names the
    line inside the template. The plan's placeholders are variables too (``{{ bridge_url }}``)."""
    from communications.templating import check_template, message_variables

    names = [p.name for p in doc.placeholders if isinstance(getattr(p, "name", None), str)]
    known = message_variables(names)
    return [
        (("messages", i, name), f"messages[{i}].{name}: template {problem}")
        for name in ("subject", "body")
        for problem in check_template(getattr(msg, name), variables=known, placeholders=names)
    ]


def _cycles(
    steps: list[tuple[tuple[Any, ...], Any]], gate_steps: Mapping[str, list[str]], held: Mapping[str, list[str]]
) -> list[Finding]:
    """Cycles through depends_on and after (a step's, and its phase's); a gate in after stands for the steps
    its criteria name."""
    names = {s.name for _, s in steps}
    graph: dict[str, list[str]] = {}
    for _, s in steps:
        before = [*s.depends_on, *(a for a in s.after if a in names)]
        gates = [a for a in s.after if a not in names] + list(held.get(s.name, []))
        before += [g for a in gates for g in gate_steps.get(a, [])]
        graph[s.name] = [d for d in before if d != s.name]
    where = {s.name: loc + (("after",) if s.after else ("depends_on",)) for loc, s in steps}
    state: dict[str, int] = {}
    found: list[Finding] = []
    reported: set[frozenset[str]] = set()

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in graph.get(name, []):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep) :] + [dep] if dep in trail else [name, dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    found.append((where[name], "dependency cycle: " + " -> ".join(cycle)))
            elif state.get(dep) is None:
                visit(dep, trail + [dep])
        state[name] = 2

    for name in graph:
        if state.get(name) is None:
            visit(name, [name])
    return found


#: One check per section of the file (after the address and unique-name checks), in report order.
SECTION_CHECKS: tuple[Callable[[PlanDoc, list[tuple[tuple[Any, ...], Any]]], list[Finding]], ...] = (
    _step_checks,
    _contact_checks,
    _escalation_checks,
    _gate_checks,
    _checklist_checks,
    _risk_checks,
    _rollback_trigger_checks,
    _messages_checks,
)
#: Rules between one entry's own fields (skipped for an entry whose bad values were taken out).
ENTRY_CHECKS: tuple[Callable[[PlanDoc, list[tuple[tuple[Any, ...], Any]]], list[Finding]], ...] = (
    _placement_rules,
    _clockless_rules,
    due_rules,
    _rollback_trigger_rules,
    _metric_checks,
    _message_rules,
    _phase_checks,
    *CONTENT_CHECKS,
    *LATER_SECTION_CHECKS,
    *SERIES_CHECKS,
)
