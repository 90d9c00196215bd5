"""Filters that show what a plan file says in words (issue 16): a plan's ``extra`` and a role's
``attributes`` (any JSON) as labelled lines, and what a step's runbook detail holds. Output is plain text:
templates autoescape it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def plain_text(value: Any) -> str:
    """A JSON value as one line: a list joined with "; ", a mapping as "key: value" pairs joined with
    " · ", nested values likewise; ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return " · ".join(f"{k}: {plain_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(plain_text(v) for v in value)
    return str(value)


@register.filter(name="plain")
def plain_filter(value: Any) -> str:
    return plain_text(value)


@register.filter(name="facts")
def facts_filter(mapping: Any) -> list[tuple[str, list[str]]]:
    """``{% for key, lines in plan.extra|facts %}``: the mapping's entries, labels humanised (``deployment_date``
    reads "Deployment date"), the ``source`` bookkeeping key left out. Each value is a list of lines: a
    list of plain values one line each, anything else one line of text."""
    if not isinstance(mapping, dict):
        return []
    out: list[tuple[str, list[str]]] = []
    for key, value in mapping.items():
        if key == "source":
            continue
        label = str(key).replace("_", " ")
        label = label[:1].upper() + label[1:]
        if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            out.append((label, [plain_text(v) for v in value]))
        else:
            out.append((label, [plain_text(value)]))
    return out


@register.filter(name="step_parts")
def step_parts_filter(step: Any) -> str:
    """What a step's runbook detail holds, for its summary line: "description · 2 pre-conditions · rollback"."""
    parts = []
    if getattr(step, "description", ""):
        parts.append("description")
    pre = getattr(step, "preconditions", None) or []
    if pre:
        parts.append(f"{len(pre)} pre-condition{'s' if len(pre) != 1 else ''}")
    for attr, word in (("action", "action"), ("verify", "verification"), ("rollback", "rollback")):
        if getattr(step, attr, ""):
            parts.append(word)
    phase = getattr(step, "phase", None)
    if phase is not None and phase.description:
        parts.append("phase")
    return " · ".join(parts)
