"""Read a plan file, keeping where every value sits so each problem has a line.

Nothing a file holds makes this crash: the size is capped (``PLAN_FILE_MAX_BYTES``), the bytes must be
UTF-8 without control characters, the data is built from the YAML event stream without recursion (a
nesting cap instead of a RecursionError), aliases count what they repeat against a budget (no "billion
laughs"), and only the standard YAML tags are understood. Every problem is a :class:`PlanFormatError`
whose lines read ``FILE[:LINE]: what is wrong``. The limits are listed in docs/plan-format.md, "Limits".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from django.conf import settings
from pydantic import ValidationError as PydanticValidationError
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

from .schema import PlanDoc

try:
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - ruamel.yaml.clib is a dependency
    CParser = None

#: A plan file is at most this many bytes (setting ``PLAN_FILE_MAX_BYTES``).
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: Mappings and sequences nest at most this deep.
MAX_DEPTH = 32
#: At most this many values once every alias is expanded.
MAX_VALUES = 200_000
#: A text libyaml refuses is read again by the (slower) YAML 1.2 parser up to this size.
PURE_PARSER_MAX_BYTES = 256 * 1024

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line is not None else filename
        return f"{where}: {self.message}"


class PlanFormatError(ValueError):
    """One or more problems in a plan file; nothing was saved."""

    syntax = False  # a YAML syntax error (the loader may try its other parser)

    def __init__(self, problems: list[Problem], filename: str = "<plan>") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.message))
        self.filename = filename
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.render(self.filename) for p in self.problems]


@dataclass
class Parsed:
    doc: PlanDoc
    tree: Located | None

    def line(self, loc: Loc) -> int | None:
        return locate(self.tree, loc)


class Located:
    """Where the values of one mapping or sequence sit: ``line`` and ``child`` per key or index."""

    __slots__ = ("lines", "children")

    def __init__(self) -> None:
        self.lines: dict[Any, int] = {}
        self.children: dict[Any, Located | None] = {}


def locate(tree: Located | None, loc: Loc) -> int | None:
    """The 1-based line of the value at ``loc`` (or of the nearest enclosing node that exists)."""
    node = tree
    line = 1
    for part in loc:
        if node is None or part not in node.lines:
            break
        line = node.lines[part]
        node = node.children[part]
    return line


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(error: Any) -> str:
    kind = error["type"]
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or "-" in p and "(" in p)))
    path = _path(loc)
    if kind == "extra_forbidden":
        return f"unknown field {loc[-1]!r}" + (f" in {_path(loc[:-1])}" if loc[:-1] else "")
    if kind == "missing":
        return f"{path}: required field is missing"
    msg = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {msg}" if path else msg


def parse_plan_text(text: str, filename: str = "<plan>") -> Parsed:
    """Parse and validate a plan file's text (schema only; see checks for references). Every problem,
    including a file too large, too deep or expanding too far through aliases, is a PlanFormatError."""
    limit = max_bytes()
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise PlanFormatError([Problem(None, f"the file is larger than {limit} bytes (PLAN_FILE_MAX_BYTES)")], filename)
    text = text.removeprefix("\ufeff")
    bad = [Problem(text.count("\n", 0, m.start()) + 1, _char_message(m.group())) for m in _BAD_CHAR.finditer(text)]
    if bad:
        raise PlanFormatError(bad[:20], filename)
    data, tree = build(text, filename)
    if not isinstance(data, dict):
        raise PlanFormatError([Problem(1, "a plan file is a YAML mapping (name:, roles:, phases: ...)")], filename)
    try:
        doc = PlanDoc.model_validate(data)
    except PydanticValidationError as exc:
        problems = [Problem(locate(tree, tuple(e["loc"])), _message(e)) for e in exc.errors()[:50]]
        raise PlanFormatError(problems, filename) from None
    return Parsed(doc=doc, tree=tree)


def decode_plan_bytes(data: bytes, filename: str = "<plan>") -> str:
    """A plan file's bytes as text: at most PLAN_FILE_MAX_BYTES, UTF-8 (a BOM is allowed)."""
    limit = max_bytes()
    if len(data) > limit:
        raise PlanFormatError([Problem(None, f"the file is larger than {limit} bytes (PLAN_FILE_MAX_BYTES)")], filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PlanFormatError(
            [Problem(line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8")],
            filename,
        ) from None


def read_plan_file(path: str | Path, filename: str | None = None) -> str:
    """Read and decode a plan file; a missing or unreadable file is a PlanFormatError, not a traceback."""
    name = filename or str(path)
    limit = max_bytes()
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise PlanFormatError([Problem(None, f"cannot read the file: {exc.strerror or exc}")], name) from None
    return decode_plan_bytes(data, name)


def read_plan_stream(stream: BinaryIO | TextIO, filename: str = "<stdin>") -> str:
    data = stream.read(max_bytes() + 1)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return decode_plan_bytes(data, filename)


# --- Building plain data from the YAML event stream ---------------------------------------------------
#
# ruamel's C parser (ruamel.yaml.clib) turns the text into events fast; the data is built here from the
# events without recursion, so a file nested 500 deep is an error with a line, not a RecursionError, and
# every alias adds the size of what it repeats to a budget, so "billion laughs" stops at once.

_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTAINER_TAGS = {"!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _char_message(char: str) -> str:
    if char == "\x00":
        return "NUL character (U+0000): a plan file is text"
    return f"control character U+{ord(char):04X} is not allowed"


def max_bytes() -> int:
    return int(getattr(settings, "PLAN_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


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


def build(text: str, filename: str = "<plan>") -> tuple[Any, Located | None]:
    """The plain data (dicts, lists, scalars) of a one-document YAML text and where each value sits.

    libyaml (C, fast) reads YAML 1.1, which refuses a few things YAML 1.2 allows (``a: 18:00 EST`` inside
    ``{...}``); a text it refuses is read again by ruamel's YAML 1.2 parser (pure Python, slower), which
    has the last word, as long as the text is at most PURE_PARSER_MAX_BYTES."""
    if CParser is None:
        return _build(text, filename, pure=True)
    try:
        return _build(text, filename, pure=False)
    except PlanFormatError as exc:
        if not getattr(exc, "syntax", False) or len(text) > PURE_PARSER_MAX_BYTES:
            raise
    return _build(text, filename, pure=True)


def _build(text: str, filename: str, *, pure: bool) -> tuple[Any, Located | None]:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    resolver = _Resolver(yaml)
    anchors: dict[str, tuple[Any, Located | None, int]] = {}
    stack: list[_Frame] = []
    root: list[tuple[Any, Located | None]] = []
    total = 0

    def fail(event: Any, message: str) -> PlanFormatError:
        return PlanFormatError([Problem(event.start_mark.line + 1, message)], filename)

    def add(event: Any, value: Any, loc: Located | None, size: int, line: int) -> None:
        nonlocal total
        total += size
        if total > MAX_VALUES:
            raise fail(event, f"the file expands to more than {MAX_VALUES} values (too many aliases?)")
        if not stack:
            if root:
                raise fail(event, "one plan per file: found a second document")
            root.append((value, loc))
            return
        frame = stack[-1]
        frame.size += size
        if isinstance(frame.value, list):
            index = len(frame.value)
            frame.value.append(value)
            frame.loc.lines[index], frame.loc.children[index] = line, loc
        elif frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise fail(event, "a mapping key must be a plain value")
            frame.key, frame.key_line = value, line
        else:
            key, frame.key = frame.key, _NO_KEY
            if key == "<<":
                frame.merges.append((frame.key_line, value))
                return
            name = str(key)
            if name in frame.value:
                first = frame.loc.lines[name]
                message = f"invalid YAML: duplicate key {name!r} (first on line {first})"
                raise PlanFormatError([Problem(frame.key_line, message)], filename)
            assert isinstance(frame.value, dict)
            frame.value[name] = value
            frame.loc.lines[name], frame.loc.children[name] = frame.key_line, loc

    try:
        for event in _events(text, pure=pure):
            kind = type(event)
            if kind is ScalarEvent:
                value = _scalar(event, yaml, resolver, filename)
                if event.anchor:
                    anchors[event.anchor] = (value, None, 1)
                add(event, value, None, 1, event.start_mark.line + 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag is not None and str(event.tag) not in _CONTAINER_TAGS:
                    raise fail(event, f"tag {event.tag!r} is not allowed in a plan file")
                if len(stack) >= MAX_DEPTH:
                    raise fail(event, f"nested more than {MAX_DEPTH} levels deep")
                container: dict[str, Any] | list[Any] = {} if kind is MappingStartEvent else []
                stack.append(_Frame(container, Located(), event.anchor, key=_NO_KEY, line=event.start_mark.line + 1))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                if isinstance(frame.value, dict):
                    for line, source in frame.merges:
                        sources = source if isinstance(source, list) else [source]
                        for merged in sources:
                            if not isinstance(merged, dict):
                                raise PlanFormatError([Problem(line, "<< merges mappings only")], filename)
                            for name, item in merged.items():
                                if name not in frame.value:
                                    frame.value[name] = item
                                    frame.loc.lines[name], frame.loc.children[name] = line, None
                if frame.anchor:
                    anchors[frame.anchor] = (frame.value, frame.loc, frame.size)
                # the container's own size was counted as its children arrived; count only itself here
                total -= frame.size - 1
                add(event, frame.value, frame.loc, frame.size, frame.line)
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise fail(event, f"invalid YAML: unknown alias *{event.anchor}")
                value, loc, size = anchors[event.anchor]
                add(event, value, loc, size, event.start_mark.line + 1)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        error = PlanFormatError([Problem(where, f"invalid YAML: {what}")], filename)
        error.syntax = True
        raise error from None
    except YAMLError as exc:
        error = PlanFormatError([Problem(None, f"invalid YAML: {exc}")], filename)
        error.syntax = True
        raise error from None
    if not root:
        return None, None
    return root[0]
