"""The sandbox a message template renders in: Jinja2's ``ImmutableSandboxedEnvironment`` narrowed to plain
values, a few bounded filters, and a budget (time, loop turns, value sizes) checked on every operation.
See :mod:`communications.templating` for what it is for."""

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
from jinja2 import DictLoader, StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
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

_LOOP_ATTRS = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem", "cycle"}
)
ITERATE = "loop_guard"  # the global every for-loop's iterable goes through


# --- Limits, enforced while rendering ---------------------------------------------------------------------


@dataclass
class Budget:
    deadline: float
    iterations: int = 0


BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("message_template_budget", default=None)


def tick() -> None:
    budget = BUDGET.get()
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
    budget = BUDGET.get()
    for item in iterable:
        if budget is not None:
            budget.iterations += 1
            if budget.iterations > MAX_ITERATIONS:
                raise SecurityError(f"loops ran more than {MAX_ITERATIONS} times")
        tick()
        yield item


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # ``a ~ b``: bounded like ``+``
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class Placeholders(dict[str, str]):
    """The ``placeholders`` variable: a plain dictionary that names what it holds when a key is missing."""


def _kind(obj: Any) -> str:
    if isinstance(obj, str):
        return "text"
    return "a list" if isinstance(obj, list | tuple) else "a number" if isinstance(obj, int | float) else "a value"


def _missing_key(obj: Mapping[str, Any], key: str) -> str:
    if isinstance(obj, Placeholders):
        return f"the plan has no placeholder {key!r}"
    keys = ", ".join(str(k) for k in list(obj)[:12])
    return f"there is no {key!r} here (the keys are {keys})" if keys else f"there is no {key!r} here"


class _Environment(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        tick()
        _check_binop(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def bounded_concat(self, values: Iterable[Any]) -> str:
        tick()
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
        """``x.y`` is the key ``y`` of a dictionary, or a loop's counter; nothing else. What is missing is said
        in a sentence (not "'dict object' has no attribute 'nope'")."""
        tick()
        if isinstance(obj, StrictUndefined):
            return obj  # ``phases[0].name`` on no phases: the error is the missing ``phases[0]``
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute, hint=_missing_key(obj, attribute))
        if isinstance(obj, LoopContext) and attribute in _LOOP_ATTRS:
            return getattr(obj, attribute)
        return self.undefined(obj=obj, name=attribute, hint=f"{attribute!r} cannot be read from {_kind(obj)}")

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        if isinstance(obj, StrictUndefined):
            return obj
        if isinstance(obj, Mapping) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, (str, list, tuple)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except (IndexError, TypeError, ValueError):
                hint = f"there is no item {argument} in a list of {len(obj)}" if isinstance(obj, list | tuple) else None
                return self.undefined(obj=obj, name=str(argument), hint=hint)
        return self.undefined(obj=obj, name=argument, hint=f"{argument!r} cannot be read from {_kind(obj)}")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
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
    env.globals[ITERATE] = _loop_guard
    env.filters = dict(FILTERS)
    env.tests = {name: env.tests[name] for name in _TESTS if name in env.tests}
    return env


#: Documented filters (aliases left out).
FILTER_NAMES = sorted(set(FILTERS) - {"d", "count"})
