"""Plain data (dicts, lists, scalars) from a YAML text's event stream, with the line of every value.

ruamel's C parser (ruamel.yaml.clib) turns the text into events fast; the data is built here from the
events without recursion, so a file nested 500 deep is an error with a line, not a RecursionError, and
every alias adds the size of what it repeats to a budget, so "billion laughs" stops at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.tag import Tag

from .problems import Located, PlanFormatError, Problem

try:
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - ruamel.yaml.clib is a dependency
    CParser = None

#: Mappings and sequences nest at most this deep.
MAX_DEPTH = 32
#: At most this many values once every alias is expanded.
MAX_VALUES = 200_000
#: A text libyaml refuses is read again by the (slower) YAML 1.2 parser up to this size.
PURE_PARSER_MAX_BYTES = 256 * 1024

_CONTAINER_TAGS = {"!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _events(text: str, *, pure: bool) -> Iterator[Any]:
    if CParser is not None and not pure:
        parser = CParser(text)
        while True:
            event = parser.get_event()
            if event is None:
                return
            yield event
    else:
        yield from YAML(typ="safe", pure=True).parse(text)


@dataclass
class _Frame:
    value: dict[str, Any] | list[Any]
    loc: Located
    anchor: str | None
    size: int = 1
    key: Any = None  # mappings: the key waiting for its value, or _NO_KEY
    key_line: int = 0
    line: int = 1
    merges: list[tuple[int, Any]] = field(default_factory=list)
    start: int = 0  # where the container starts in the text
    unreadable: bool = False  # a key of this mapping is itself a mapping or a list


_NO_KEY = object()


class _Resolver:
    """YAML 1.2's implicit types of plain scalars (ruamel's table, read once: resolving each scalar
    through ruamel's resolver costs more than parsing it)."""

    def __init__(self, yaml: YAML) -> None:
        table = yaml.resolver.versioned_resolver
        anywhere = [(str(tag), regexp) for tag, regexp in table.get(None, [])]
        self.by_first = {key: [(str(t), r) for t, r in rules] + anywhere for key, rules in table.items() if key}
        self.empty = [(str(t), r) for t, r in table.get("", [])] + anywhere
        self.anywhere = anywhere

    def resolve(self, value: str) -> str:
        rules = self.by_first.get(value[0], self.anywhere) if value else self.empty
        for tag, regexp in rules:
            if regexp.match(value):
                return tag
        return "tag:yaml.org,2002:str"


def _scalar(event: Any, yaml: YAML, resolver: _Resolver, filename: str) -> Any:
    line = event.start_mark.line + 1
    tag = str(event.tag) if event.tag is not None else None
    if tag is None or tag == "!":
        tag = resolver.resolve(event.value) if event.implicit[0] else "tag:yaml.org,2002:str"
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:value"):  # a lone "=" is text
        return event.value
    if tag == "tag:yaml.org,2002:merge":
        return "<<"
    if tag not in _STANDARD_TAGS:
        raise PlanFormatError([Problem(line, f"tag {tag!r} is not allowed in a plan file")], filename)
    try:
        node = ScalarNode(Tag(suffix=tag), event.value, style=event.style)
        value = yaml.constructor.construct_non_recursive_object(node)
    except (ValueError, OverflowError, ArithmeticError, MarkedYAMLError) as exc:
        shown = event.value if len(event.value) <= 40 else event.value[:40] + "..."
        raise PlanFormatError([Problem(line, f"invalid value {shown!r}: {exc}")], filename) from None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def build(text: str, filename: str = "<plan>") -> tuple[Any, Located | None, list[Problem]]:
    """The plain data (dicts, lists, scalars) of a one-document YAML text, where each value sits, and the
    problems that did not stop the reading (an unquoted ``{{X}}``: the value is kept as the text written).

    libyaml (C, fast) reads YAML 1.1, which refuses a few things YAML 1.2 allows (``a: 18:00 EST`` inside
    ``{...}``); a text it refuses is read again by ruamel's YAML 1.2 parser (pure Python, slower), which
    has the last word, as long as the text is at most PURE_PARSER_MAX_BYTES."""
    try:
        if CParser is None:
            return _build(text, filename, pure=True)
        try:
            return _build(text, filename, pure=False)
        except PlanFormatError as exc:
            if not getattr(exc, "syntax", False) or len(text) > PURE_PARSER_MAX_BYTES:
                raise
        return _build(text, filename, pure=True)
    except PlanFormatError as exc:
        unreadable = any(p.message.startswith("invalid YAML") for p in exc.problems)
        if unreadable and looks_like_markdown(text):  # a seed document: not "unknown alias **Launch"
            raise PlanFormatError([Problem(None, NOT_A_PLAN_FILE)], filename) from exc
        raise


NOT_A_PLAN_FILE = (
    "this looks like a Markdown document, not a plan file: a plan file is YAML (docs/plan-format.md). To start "
    "from one of the built-in plans, use a template (manage.py list_templates; import_plan --template NAME; "
    "the admin's New plan from template)"
)
#: Lines only Markdown starts so: bold text, a table row, a task box (a "# heading" is also a YAML comment).
_MARKDOWN = re.compile(r"^(\*\*[^*\n]+\*\*|\|.*\|\s*$|- \[[ xX]\] )", re.MULTILINE)


def looks_like_markdown(text: str) -> bool:
    """Bold lines, table rows or task boxes on several lines: a Markdown document, not a plan file."""
    return len(_MARKDOWN.findall(text[:20_000])) >= 2


def _build(text: str, filename: str, *, pure: bool) -> tuple[Any, Located | None, list[Problem]]:
    builder = _Builder(filename, text)
    try:
        for event in _events(text, pure=pure):
            builder.feed(event)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise _syntax_error(Problem(where, f"invalid YAML: {what}"), filename) from None
    except YAMLError as exc:
        raise _syntax_error(Problem(None, f"invalid YAML: {exc}"), filename) from None
    if not builder.root:
        return None, None, builder.problems
    value, loc = builder.root[0]
    return value, loc, builder.problems


def _syntax_error(problem: Problem, filename: str) -> PlanFormatError:
    error = PlanFormatError([problem], filename)
    error.syntax = True
    return error


class _Builder:
    """Plain data from YAML events, one event at a time: a stack of open containers, the anchors seen,
    and the count of values (aliases included) against MAX_VALUES."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self.problems: list[Problem] = []
        self.yaml = YAML(typ="safe", pure=True)
        self.yaml.version = (1, 2)
        self.resolver = _Resolver(self.yaml)
        self.anchors: dict[str, tuple[Any, Located | None, int]] = {}
        self.stack: list[_Frame] = []
        self.root: list[tuple[Any, Located | None]] = []
        self.total = 0

    def fail(self, event: Any, message: str) -> PlanFormatError:
        return PlanFormatError([Problem(event.start_mark.line + 1, message)], self.filename)

    def feed(self, event: Any) -> None:
        kind = type(event)
        if kind is ScalarEvent:
            self.scalar(event)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            self.start(event, mapping=kind is MappingStartEvent)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            self.end(event)
        elif kind is AliasEvent:
            self.alias(event)

    def scalar(self, event: Any) -> None:
        value = _scalar(event, self.yaml, self.resolver, self.filename)
        if event.anchor:
            self.anchors[event.anchor] = (value, None, 1)
        self.add(event, value, None, 1, event.start_mark.line + 1)

    def start(self, event: Any, *, mapping: bool) -> None:
        if event.tag is not None and str(event.tag) not in _CONTAINER_TAGS:
            raise self.fail(event, f"tag {event.tag!r} is not allowed in a plan file")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"nested more than {MAX_DEPTH} levels deep")
        container: dict[str, Any] | list[Any] = {} if mapping else []
        line, start = event.start_mark.line + 1, event.start_mark.index
        self.stack.append(_Frame(container, Located(), event.anchor, key=_NO_KEY, line=line, start=start))

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.unreadable:
            self.total -= frame.size - 1
            self.add(event, self.as_written(frame, event), None, 1, frame.line)
            return
        if isinstance(frame.value, dict):
            self.merge(frame)
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.value, frame.loc, frame.size)
        # the container's own size was counted as its children arrived; count only itself here
        self.total -= frame.size - 1
        self.add(event, frame.value, frame.loc, frame.size, frame.line)

    def as_written(self, frame: _Frame, event: Any) -> str:
        """``{{X}}`` unquoted is a mapping whose key is a mapping: a template placeholder meant as text. It
        is kept as written and the author told to quote it; any other mapping as a key is an error."""
        written = self.text[frame.start : event.end_mark.index].strip()
        if not (written.startswith("{{") and written.endswith("}}")) or "\n" in written or len(written) > 200:
            raise self.fail(event, "a mapping key must be a plain value")
        shown = written if len(written) <= 60 else written[:57] + "..."
        message = f'YAML read {shown} as a mapping (a value starting with {{ is one): put it in quotes: "{shown}"'
        self.problems.append(Problem(frame.line, message))
        return written

    def merge(self, frame: _Frame) -> None:
        """Apply a mapping's ``<<`` merge keys: a key already in the mapping wins."""
        assert isinstance(frame.value, dict)
        for line, source in frame.merges:
            sources = source if isinstance(source, list) else [source]
            for merged in sources:
                if not isinstance(merged, dict):
                    raise PlanFormatError([Problem(line, "<< merges mappings only")], self.filename)
                for name, item in merged.items():
                    if name not in frame.value:
                        frame.value[name] = item
                        frame.loc.lines[name], frame.loc.children[name] = line, None

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(event, f"invalid YAML: unknown alias *{event.anchor}")
        value, loc, size = self.anchors[event.anchor]
        self.add(event, value, loc, size, event.start_mark.line + 1)

    def add(self, event: Any, value: Any, loc: Located | None, size: int, line: int) -> None:
        """Put a finished value into the open container (or make it the document)."""
        self.total += size
        if self.total > MAX_VALUES:
            raise self.fail(event, f"the file expands to more than {MAX_VALUES} values (too many aliases?)")
        if not self.stack:
            if self.root:
                raise self.fail(event, "one plan per file: found a second document")
            self.root.append((value, loc))
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.value, list):
            index = len(frame.value)
            frame.value.append(value)
            frame.loc.lines[index], frame.loc.children[index] = line, loc
        elif frame.key is _NO_KEY:
            frame.unreadable = frame.unreadable or isinstance(value, dict | list)
            frame.key, frame.key_line = value, line
        else:
            self.add_entry(frame, value, loc)

    def add_entry(self, frame: _Frame, value: Any, loc: Located | None) -> None:
        """A mapping's value has arrived for the key waiting in ``frame``."""
        key, frame.key = frame.key, _NO_KEY
        if frame.unreadable:
            return
        if key == "<<":
            frame.merges.append((frame.key_line, value))
            return
        name = str(key)
        if name in frame.value:
            first = frame.loc.lines[name]
            message = f"invalid YAML: duplicate key {name!r} (first on line {first})"
            raise PlanFormatError([Problem(frame.key_line, message)], self.filename)
        assert isinstance(frame.value, dict)
        frame.value[name] = value
        frame.loc.lines[name], frame.loc.children[name] = frame.key_line, loc
