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

import contextvars
import time
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils import dateformat
from jinja2 import DictLoader, StrictUndefined, TemplateError, TemplateSyntaxError, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.meta import find_undeclared_variables
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

#: Longest template source, rendered output, and any string or list a template builds.
MAX_SOURCE = 20_000
MAX_OUTPUT = 20_000
#: Largest integer a template may compute (in bits), total loop iterations per render, longest range().
MAX_INT_BITS = 4096
MAX_ITERATIONS = 10_000
#: Wall-clock budget of one render.
MAX_SECONDS = 1.0

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
}
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
_LOOP_ATTRS = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem", "cycle"}
)
_ITERATE = "loop_guard"  # the global every for-loop's iterable goes through


class MessageTemplateError(ValueError):
    """A template that cannot be rendered: a syntax error, a forbidden tag, an unknown variable, or a limit."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.detail = message
        super().__init__(f"line {line}: {message}" if line else message)


# --- Limits, enforced while rendering ---------------------------------------------------------------------


@dataclass
class _Budget:
    deadline: float
    iterations: int = 0


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("message_template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise SecurityError(f"the template took longer than {MAX_SECONDS:g} s to render")


def _sized(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_OUTPUT:
        raise SecurityError(f"a value longer than {MAX_OUTPUT} characters or items")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise SecurityError("a number too large")
    return value


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a result that would be too large."""
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * max(n, 0) > MAX_OUTPUT:
                raise SecurityError(f"a value longer than {MAX_OUTPUT} characters or items")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise SecurityError("a number too large")
    elif operator == "**":
        big = isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
        if big and right * left.bit_length() > MAX_INT_BITS:
            raise SecurityError("a number too large")
    elif operator == "+":
        if _length(left) + _length(right) > MAX_OUTPUT:
            raise SecurityError(f"a value longer than {MAX_OUTPUT} characters or items")
    elif operator == "%" and isinstance(left, str):
        raise SecurityError("'%' formatting of text is not available; use ~ to join text")


def _range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_ITERATIONS:
        raise SecurityError(f"range() longer than {MAX_ITERATIONS}")
    return rng


def _loop_guard(iterable: Any) -> Iterator[Any]:
    """Every ``{% for %}`` iterates through this: at most MAX_ITERATIONS turns per render, within the deadline."""
    budget = _budget.get()
    for item in iterable:
        if budget is not None:
            budget.iterations += 1
            if budget.iterations > MAX_ITERATIONS:
                raise SecurityError(f"loops ran more than {MAX_ITERATIONS} times")
        _tick()
        yield item


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # ``a ~ b``: bounded like ``+``
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Environment(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_binop(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def bounded_concat(self, values: Iterable[Any]) -> str:
        _tick()
        out: list[str] = []
        size = 0
        for value in values:
            text = str(value)
            size += len(text)
            if size > MAX_OUTPUT:
                raise SecurityError(f"a value longer than {MAX_OUTPUT} characters")
            out.append(text)
        return "".join(out)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``x.y`` is the key ``y`` of a dictionary, or a loop's counter; nothing else."""
        _tick()
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        if isinstance(obj, LoopContext) and attribute in _LOOP_ATTRS:
            return getattr(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        if isinstance(obj, Mapping) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, (str, list, tuple)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except (IndexError, TypeError, ValueError):
                pass
        return self.undefined(obj=obj, name=argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        allowed = (
            __obj is _range
            or __obj is _loop_guard
            or (getattr(__obj, "__self__", None).__class__ is LoopContext and getattr(__obj, "__name__", "") == "cycle")
        )
        if not allowed:
            raise SecurityError("only range() and loop.cycle() can be called in a message template")
        return __context.call(__obj, *args, **kwargs)


# --- Filters ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return _sized(str(value))


def _join(value: Iterable[Any], separator: str = "") -> str:
    out: list[str] = []
    size = 0
    for item in _loop_guard(value):
        text = str(item)
        size += len(text) + len(separator)
        if size > MAX_OUTPUT + len(separator):
            raise SecurityError(f"a value longer than {MAX_OUTPUT} characters")
        out.append(text)
    return str(separator).join(out)


def _replace(value: Any, old: str, new: str, count: int = -1) -> str:
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count >= 0:
        hits = min(hits, count)
    if len(text) + hits * (len(new) - len(old)) > MAX_OUTPUT:
        raise SecurityError(f"a value longer than {MAX_OUTPUT} characters")
    return text.replace(old, new, count)


def _truncate(value: Any, length: int = 255, end: str = "…") -> str:
    text = str(value)
    if len(text) <= length:
        return text
    return text[: max(int(length) - len(end), 0)] + end


def _default(value: Any, default: Any = "", boolean: bool = False) -> Any:
    from jinja2 import Undefined

    if isinstance(value, Undefined) or (boolean and not value):
        return default
    return value


def _first(value: Any) -> Any:
    for item in value:
        return item
    return ""


def _last(value: Any) -> Any:
    seq = list(_loop_guard(value))
    return seq[-1] if seq else ""


@pass_context
def _date(context: Context, value: Any, fmt: str = "D j M Y H:i T") -> str:
    """An ISO 8601 moment (``t0_iso``) or one of the moments ``t0``, ``now``, ``next_update``, formatted in the
    plan's zone with Django's date format characters: ``{{ t0|date('H:i') }}``."""
    fmt = str(fmt)
    if len(fmt) > 100:
        raise SecurityError("the date format is longer than 100 characters")
    text = str(value)
    if not text:  # next_update after the last send
        return ""
    for name in ("t0", "now", "next_update"):
        if text and context.get(name) == text:
            text = str(context.get(f"{name}_iso", text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"date: {text!r} is not a moment (use t0, now, next_update or their _iso forms)") from None
    plan = context.get("plan")
    zone_name = plan.get("timezone") if isinstance(plan, Mapping) else None
    if moment.tzinfo is not None and zone_name:
        moment = moment.astimezone(zoneinfo.ZoneInfo(str(zone_name)))
    return _text(dateformat.format(moment, fmt))


#: The filters a message may use (documented in docs/plan-format.md).
FILTERS: dict[str, Any] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "title": lambda v: str(v).title(),
    "capitalize": lambda v: str(v).capitalize(),
    "trim": lambda v: str(v).strip(),
    "default": _default,
    "d": _default,
    "length": lambda v: len(v),
    "count": lambda v: len(v),
    "first": _first,
    "last": _last,
    "join": _join,
    "replace": _replace,
    "truncate": _truncate,
    "round": lambda v, precision=0: round(float(v), min(int(precision), 10)),
    "int": lambda v, default=0: _int(v, default),
    "abs": abs,
    "string": _text,
    "date": _date,
}


def _int(value: Any, default: int = 0) -> int:
    try:
        text = str(value)
        if len(text) > 100:
            return default
        return int(float(text)) if "." in text else int(text)
    except (TypeError, ValueError, OverflowError):
        return default


_TESTS: tuple[str, ...] = (
    *("defined", "undefined", "none", "number", "string", "odd", "even", "divisibleby", "true", "false", "boolean"),
    *("eq", "ne", "lt", "le", "gt", "ge", "in", "==", "!=", "<", "<=", ">", ">="),
)


@lru_cache(maxsize=1)
def environment() -> _Environment:
    env = _Environment(
        autoescape=False,
        undefined=StrictUndefined,
        loader=DictLoader({}),  # loads nothing: {% include %} and friends have nowhere to go
        extensions=(),
        auto_reload=False,
    )
    env.globals.clear()
    env.globals["range"] = _range
    env.globals[_ITERATE] = _loop_guard
    env.filters = dict(FILTERS)
    env.tests = {name: env.tests[name] for name in _TESTS if name in env.tests}
    return env


#: Documented filters (aliases left out).
FILTER_NAMES = sorted(set(FILTERS) - {"d", "count"})


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


def _name_problems(tree: nodes.Template, known: Iterable[str]) -> list[MessageTemplateError]:
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
        if not isinstance(target, nodes.Name) or target.name in declared or target.name not in DICT_KEYS:
            continue
        if isinstance(access, nodes.Getattr):
            key: Any = access.attr
        elif isinstance(access, nodes.Getitem) and isinstance(access.arg, nodes.Const):
            key = access.arg.value
        else:
            continue
        if key not in DICT_KEYS[target.name]:
            keys = ", ".join(DICT_KEYS[target.name])
            found.append(
                MessageTemplateError(f"unknown variable {target.name}.{key} ({target.name} has {keys})", target.lineno)
            )
    return found


def _guard_loops(tree: nodes.Template) -> nodes.Template:
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.Name(_ITERATE, "load"), [loop.iter], [], None, None, lineno=loop.lineno)
    return tree


@lru_cache(maxsize=512)
def _compiled(text: str) -> Any:
    tree = _parse(text)
    problems = _structure_problems(tree)
    if problems:
        raise problems[0]
    token = _budget.set(_Budget(deadline=time.monotonic() + MAX_SECONDS))
    try:
        return environment().from_string(_guard_loops(tree))
    except TemplateSyntaxError as exc:  # an unknown filter or test is found when compiling
        raise _syntax_error(exc) from None
    finally:
        _budget.reset(token)


def referenced_names(text: str) -> set[str]:
    """The variables a template reads (empty for a template that does not parse)."""
    if not text:
        return set()
    try:
        return set(find_undeclared_variables(_parse(text)))
    except (MessageTemplateError, TemplateSyntaxError):
        return set()


def check_template(text: str, *, variables: Iterable[str] = VARIABLES) -> list[str]:
    """Every problem of a template, each as ``"line N: ..."``: syntax errors, forbidden tags, unknown filters,
    unknown variables. An empty list means it will render (limits aside)."""
    return [str(p) for p in template_problems(text, variables=variables)]


def template_problems(text: str, *, variables: Iterable[str] = VARIABLES) -> list[MessageTemplateError]:
    if not text:
        return []
    try:
        tree = _parse(text)
    except MessageTemplateError as exc:
        return [exc]
    problems = _structure_problems(tree) + _name_problems(tree, variables)
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
    token = _budget.set(_Budget(deadline=time.monotonic() + MAX_SECONDS))
    out: list[str] = []
    size = 0
    try:
        for piece in template.generate(dict(context)):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise MessageTemplateError(f"the text is longer than {MAX_OUTPUT} characters")
            out.append(piece)
            _tick()
    except MessageTemplateError:
        raise
    except (TemplateError, ArithmeticError, ValueError, TypeError, LookupError, RecursionError) as exc:
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise MessageTemplateError(detail, _template_line(exc)) from None
    finally:
        _budget.reset(token)
    return "".join(out)
