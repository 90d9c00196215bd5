"""Message templates: what a plan author types, rendered in a sandbox from plain values.

A message's subject and body are Jinja2 templates rendered by :func:`render_message` with
``ImmutableSandboxedEnvironment`` and a context that is a plain dictionary of already-formatted values
(strings, numbers, lists of plain dictionaries): no model instance, no method, no attribute of any Python
object ever reaches a template. On top of Jinja's sandbox:

- **Only dictionary keys are attributes.** ``plan.name`` reads the key ``name`` of the dictionary ``plan``;
  ``"x".upper``, ``plan.items`` or ``loop.__class__`` are undefined. Only ``range()`` and ``loop.cycle()``
  can be called.
- **A small set of filters and tests** (:data:`FILTERS`, :data:`TESTS`), each bounded in what it produces.
- **No** ``{% include %}``, ``{% import %}``, ``{% extends %}`` (and a loader that loads nothing),
  ``{% macro %}``, ``{% call %}``, ``{% block %}``, ``{% filter %}``, ``{% set %}…{% endset %}`` or recursive
  loops: nothing can recurse or capture unbounded text.
- **Bounded cost**: every value a template builds (``~``, ``+``, ``*``, ``**``, ``%``) stays under
  :data:`MAX_OUTPUT` characters or :data:`MAX_INT_BITS` bits, loops run at most :data:`MAX_ITERATIONS`
  times in all, the output stops at :data:`MAX_OUTPUT` characters, and a render stops after
  :data:`MAX_SECONDS`. A template is at most :data:`MAX_SOURCE` characters.
- **Undefined is an error** (``StrictUndefined``): a typo fails loudly instead of printing nothing.

:func:`check_template` reports syntax errors, forbidden tags and unknown variables with their line, for
the importer, the admin and the preview. The variables are documented in :data:`VARIABLES` and in
``docs/plan-format.md``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.meta import find_undeclared_variables

from .sandbox import (
    BUDGET,
    FILTER_NAMES,
    FILTERS,
    ITERATE,
    MAX_INT_BITS,
    MAX_ITERATIONS,
    MAX_OUTPUT,
    MAX_SECONDS,
    MAX_SOURCE,
    Budget,
    Placeholders,
    environment,
    tick,
)

__all__ = [
    "FILTERS",
    "FILTER_NAMES",
    "MAX_INT_BITS",
    "MAX_ITERATIONS",
    "MAX_OUTPUT",
    "MAX_SECONDS",
    "MAX_SOURCE",
    "VARIABLES",
    "MessageTemplateError",
    "Placeholders",
    "check_template",
    "message_variables",
    "placeholder_variables",
    "referenced_names",
    "render_message",
    "template_problems",
]

#: The variables a message template sees (kept in step with ``sources.message_context`` and the docs).
PLAN_KEYS = ("name", "slug", "summary", "state", "state_code", "timezone", "t0", "url", "status_url")
MESSAGE_KEYS = ("name", "kind", "audience")
PROGRESS_KEYS = ("done", "total", "percent")
VARIABLES: dict[str, str] = {
    "plan": "the plan: plan.name, .slug, .summary, .state (e.g. Countdown), .state_code (countdown), "
    ".timezone, .t0 (as t0), .url, .status_url",
    "t0": "T-0 in the plan's zone, e.g. 'Sun 06 Dec 2026 06:00 EST'",
    "t0_date": "T-0's date, e.g. 'Sun 06 Dec 2026'",
    "t0_time": "T-0's clock time, e.g. '06:00'",
    "t0_iso": "T-0 as ISO 8601 with its UTC offset, for the date filter",
    "now": "the moment of this send in the plan's zone (same format as t0)",
    "now_iso": "the moment of this send as ISO 8601",
    "countdown": "this send relative to T-0, e.g. 'T-2h', 'T+1d3h'",
    "occurrence": "the number of this send in a series (1 for a one-off)",
    "count": "how many sends the series has (1 for a one-off)",
    "next_update": "the moment of the series' next send (same format as t0), '' after the last",
    "next_update_iso": "the same as ISO 8601, '' after the last",
    "message": "message.name, message.kind, message.audience",
    "report": "the live status report as plain text (internal detail only for staff and executives)",
    "progress": "checklist items: progress.done, progress.total, progress.percent",
    "phases": "a list of phases, each with name, done, total, percent",
    "gates_passed": "how many gates have passed",
    "gates_total": "how many gates the plan has",
    "issues_open": "how many issues are not resolved",
    "status_url": "the plan's public status page",
    "placeholders": "the plan's placeholders by name, e.g. placeholders.bridge_url (unfilled: '[War-room bridge — "
    "not set]'); a placeholder whose name is a plain word is also a variable of its own: {{ bridge_url }}",
}
#: Words a placeholder's name cannot be used as a variable under (Jinja's own; the variables above).
RESERVED = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else"})
RESERVED_PLACEHOLDER_NAMES = RESERVED | {"range", "loop", "self", "super", "caller", "varargs", "kwargs"}
#: Keys of the dictionary-valued variables, for the static check of ``plan.nmae``.
DICT_KEYS: dict[str, tuple[str, ...]] = {"plan": PLAN_KEYS, "message": MESSAGE_KEYS, "progress": PROGRESS_KEYS}
#: The variables that need the live status of the plan (a few queries), computed only when used.
LIVE_VARIABLES = frozenset({"report", "progress", "phases", "gates_passed", "gates_total", "issues_open"})

_FORBIDDEN: dict[type[nodes.Node], str] = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Block: "{% block %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.AssignBlock: "{% set %}…{% endset %}",
}


class MessageTemplateError(ValueError):
    """A template that cannot be rendered: a syntax error, a forbidden tag, an unknown variable, or a limit."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.detail = message
        super().__init__(f"line {line}: {message}" if line else message)


# --- Parse, check, render -------------------------------------------------------------------------------


def _syntax_error(exc: TemplateSyntaxError) -> MessageTemplateError:
    message = exc.message or "syntax error"
    if "got ':'" in message or "expected token 'end of print statement', got ':'" in message:
        message += " (filter arguments are written date('H:i'), not Django's date:'H:i')"
    if message.startswith("No filter named"):
        message += f"; the filters are {', '.join(FILTER_NAMES)}"
    return MessageTemplateError(message, exc.lineno)


def _parse(text: str) -> nodes.Template:
    if len(text) > MAX_SOURCE:
        raise MessageTemplateError(f"a template is at most {MAX_SOURCE} characters")
    if "\x00" in text:
        raise MessageTemplateError("a template cannot contain NUL characters")
    try:
        return environment().parse(text)
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from None


def placeholder_variables(names: Iterable[str]) -> set[str]:
    """The placeholder names a template can use as a variable on their own (``{{ bridge_url }}``): plain
    words that are not already a variable; any name can be read as ``placeholders['name-with-dash']``."""
    return {n for n in names if n.isidentifier() and n not in VARIABLES and n not in RESERVED_PLACEHOLDER_NAMES}


def message_variables(placeholder_names: Iterable[str]) -> set[str]:
    """Every variable a plan's message templates see: :data:`VARIABLES` and the plan's placeholders."""
    return set(VARIABLES) | placeholder_variables(placeholder_names)


def _structure_problems(tree: nodes.Template) -> list[MessageTemplateError]:
    found: list[MessageTemplateError] = []
    for node in tree.find_all(tuple(_FORBIDDEN)):
        found.append(MessageTemplateError(f"{_FORBIDDEN[type(node)]} is not allowed in a message", node.lineno))
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            found.append(MessageTemplateError("recursive loops are not allowed in a message", loop.lineno))
    for name in tree.find_all(nodes.Name):
        if name.name in {"self", "super", "caller", "varargs", "kwargs"}:
            found.append(MessageTemplateError(f"{name.name!r} is not available in a message", name.lineno))
    return found


def _name_problems(
    tree: nodes.Template, known: Iterable[str], keys: Mapping[str, tuple[str, ...]] = DICT_KEYS
) -> list[MessageTemplateError]:
    known = set(known)
    found: list[MessageTemplateError] = []
    try:
        unknown = find_undeclared_variables(tree) - known
    except TemplateSyntaxError as exc:  # an unknown filter or test
        return [_syntax_error(exc)]
    reported: set[str] = set()
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in unknown and node.name not in reported:
            reported.add(node.name)
            found.append(MessageTemplateError(f"unknown variable {node.name!r}", node.lineno))
    declared = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = getattr(access, "node", None)
        if not isinstance(target, nodes.Name) or target.name in declared or target.name not in keys:
            continue
        if isinstance(access, nodes.Getattr):
            key: Any = access.attr
        elif isinstance(access, nodes.Getitem) and isinstance(access.arg, nodes.Const):
            key = access.arg.value
        else:
            continue
        if key not in keys[target.name]:
            if target.name == "placeholders":
                has = f"the plan's placeholders are {', '.join(keys[target.name])}" if keys[target.name] else ""
                what = f"the plan has no placeholder {key!r}" + (f" ({has})" if has else "")
            else:
                what = f"unknown variable {target.name}.{key} ({target.name} has {', '.join(keys[target.name])})"
            found.append(MessageTemplateError(what, target.lineno))
    return found


def _guard_loops(tree: nodes.Template) -> nodes.Template:
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.Name(ITERATE, "load"), [loop.iter], [], None, None, lineno=loop.lineno)
    return tree


@lru_cache(maxsize=512)
def _compiled(text: str) -> Any:
    tree = _parse(text)
    problems = _structure_problems(tree)
    if problems:
        raise problems[0]
    token = BUDGET.set(Budget(deadline=time.monotonic() + MAX_SECONDS))
    try:
        return environment().from_string(_guard_loops(tree))
    except TemplateSyntaxError as exc:  # an unknown filter or test is found when compiling
        raise _syntax_error(exc) from None
    finally:
        BUDGET.reset(token)


def referenced_names(text: str) -> set[str]:
    """The variables a template reads (empty for a template that does not parse)."""
    if not text:
        return set()
    try:
        return set(find_undeclared_variables(_parse(text)))
    except (MessageTemplateError, TemplateSyntaxError):
        return set()


def check_template(
    text: str, *, variables: Iterable[str] = VARIABLES, placeholders: Iterable[str] | None = None
) -> list[str]:
    """Every problem of a template, each as ``"line N: ..."``: syntax errors, forbidden tags, unknown filters,
    unknown variables, and, given the plan's ``placeholders`` (their names), ``placeholders.x`` for one it
    does not declare. An empty list means it will render (limits aside)."""
    return [str(p) for p in template_problems(text, variables=variables, placeholders=placeholders)]


def template_problems(
    text: str, *, variables: Iterable[str] = VARIABLES, placeholders: Iterable[str] | None = None
) -> list[MessageTemplateError]:
    if not text:
        return []
    try:
        tree = _parse(text)
    except MessageTemplateError as exc:
        return [exc]
    keys = DICT_KEYS if placeholders is None else {**DICT_KEYS, "placeholders": tuple(sorted(placeholders))}
    problems = _structure_problems(tree) + _name_problems(tree, variables, keys)
    if not problems:
        try:
            _compiled(text)
        except MessageTemplateError as exc:
            problems.append(exc)
    return sorted(problems, key=lambda p: p.line or 0)


def _template_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_message(text: str, context: Mapping[str, Any]) -> str:
    """Render one template with a plain context. Raises :class:`MessageTemplateError` (with the line where
    known) for anything that goes wrong: a syntax error, an undefined variable, a limit reached."""
    if not text:
        return ""
    template = _compiled(text)
    token = BUDGET.set(Budget(deadline=time.monotonic() + MAX_SECONDS))
    out: list[str] = []
    size = 0
    try:
        for piece in template.generate(dict(context)):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise MessageTemplateError(f"the text is longer than {MAX_OUTPUT} characters")
            out.append(piece)
            tick()
    except MessageTemplateError:
        raise
    except (TemplateError, ArithmeticError, ValueError, TypeError, LookupError, RecursionError) as exc:
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise MessageTemplateError(detail, _template_line(exc)) from None
    finally:
        BUDGET.reset(token)
    return "".join(out)
