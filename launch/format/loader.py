"""Read a plan file, keeping where every value sits so each problem has a line.

Nothing a file holds makes this crash: the size is capped (``PLAN_FILE_MAX_BYTES``), the bytes must be
UTF-8 without control characters, the data is built from the YAML event stream without recursion (a
nesting cap instead of a RecursionError), aliases count what they repeat against a budget (no "billion
laughs"), and only the standard YAML tags are understood. Every problem is a :class:`PlanFormatError`
whose lines read ``FILE[:LINE]: what is wrong``. The limits are listed in docs/plan-format.md, "Limits".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from django.conf import settings
from pydantic import ValidationError as PydanticValidationError

from .problems import Loc, Located, PlanFormatError, Problem, locate
from .salvage import salvage
from .schema import PlanDoc
from .yamldata import NOT_A_PLAN_FILE, build, looks_like_markdown

__all__ = [
    "Loc",
    "Located",
    "Parsed",
    "PlanFormatError",
    "Problem",
    "build",
    "decode_plan_bytes",
    "locate",
    "max_bytes",
    "parse_plan_partial",
    "parse_plan_text",
    "read_plan_file",
    "read_plan_stream",
]

#: A plan file is at most this many bytes (setting ``PLAN_FILE_MAX_BYTES``).
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Parsed:
    """A plan file's document and where its values sit. A partial parse (:func:`parse_plan_partial`) of a
    file with schema problems holds them in ``problems`` and the document as far as it validates."""

    doc: PlanDoc
    tree: Located | None
    problems: list[Problem] = field(default_factory=list)
    #: entries whose bad values were taken out, and the names of entries left out (see salvage.py)
    touched: list[list[Any]] = field(default_factory=list)
    dropped: dict[str, set[str]] = field(default_factory=dict)

    def line(self, loc: Loc) -> int | None:
        return locate(self.tree, loc)


def field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def error_message(error: Any) -> str:
    """One pydantic error of a plan document in an author's words (the importer's and the exporter's)."""
    kind = error["type"]
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or "-" in p and "(" in p)))
    path = field_path(loc)
    if kind == "extra_forbidden":
        return f"unknown field {loc[-1]!r}" + (f" in {field_path(loc[:-1])}" if loc[:-1] else "")
    if kind == "missing":
        return f"{path}: required field is missing"
    if kind == "string_type" and isinstance(error.get("input"), dict | list):
        return f"{path}: {_not_text(error['input'])}" if path else _not_text(error["input"])
    msg = _plain(kind, error) or str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {msg}" if path else msg


#: What a pattern of the schema asks for, in words.
_PATTERNS = {
    r"^[a-z0-9][a-z0-9_-]*$": "lower-case letters, digits, hyphens and underscores, starting with a letter or digit "
    "(e.g. go-live-date)",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "letters, digits and underscores, not starting with a digit (e.g. alertname)",
}


def _plain(kind: str, error: Any) -> str | None:
    """pydantic's message for ``kind`` in an author's words (a hint to quote a value YAML read as a number,
    a pattern said in words), or None to keep pydantic's."""
    value = error.get("input")
    if kind == "string_type" and isinstance(value, bool):
        return "YAML read this as true/false (yes, no, on and off are), not text: put the value in quotes"
    if kind == "string_type" and isinstance(value, int | float | date):
        what = "a date" if isinstance(value, date) else "a number"
        written = value.isoformat() if isinstance(value, date) else str(value)
        return f'YAML read {written} as {what}, not text: put the value in quotes ("{written}")'
    if kind == "string_unicode":
        return "contains a lone surrogate (an escape such as \\ud800 that is half of a character); remove it"
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        return f"{str(value)[:80]!r} must be {_PATTERNS.get(pattern, 'written as the format describes')}"
    if kind == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        return "is empty; type a name"
    return None


def _not_text(value: dict[str, Any] | list[Any]) -> str:
    """Text was expected but YAML read a mapping or a list: ``{X}`` and ``[x]`` are YAML, not text."""
    what = "a mapping" if isinstance(value, dict) else "a list"
    written = _flow(value)
    if len(written) > 60:
        written = written[:57] + "..."
    return f'YAML read {written} as {what}, not text: put the value in quotes ("{written}")'


def _flow(value: Any) -> str:
    """A value as it might have been written inline (``{X}``, ``[a, b]``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(_flow(k) if v is None else f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return "" if value is None else str(value)


def parse_plan_text(text: str, filename: str = "<plan>") -> Parsed:
    """Parse and validate a plan file's text (schema only; see checks for references). Every problem,
    including a file too large, too deep or expanding too far through aliases, is a PlanFormatError."""
    parsed = parse_plan_partial(text, filename)
    if parsed.problems:
        raise PlanFormatError(parsed.problems, filename)
    return parsed


def parse_plan_partial(text: str, filename: str = "<plan>") -> Parsed:
    """Like :func:`parse_plan_text`, but schema problems are returned in ``Parsed.problems`` with what is
    left of the document once the bad values are out, so the checks across the file can still run.
    Raises PlanFormatError when nothing more can be checked (size, bytes, YAML syntax, not a mapping)."""
    limit = max_bytes()
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise PlanFormatError([Problem(None, f"the file is larger than {limit} bytes (PLAN_FILE_MAX_BYTES)")], filename)
    text = text.removeprefix("\ufeff")
    bad = [Problem(text.count("\n", 0, m.start()) + 1, _char_message(m.group())) for m in _BAD_CHAR.finditer(text)]
    if bad:
        raise PlanFormatError(bad[:20], filename)
    data, tree, problems = build(text, filename)
    if not isinstance(data, dict):
        if looks_like_markdown(text):
            raise PlanFormatError([Problem(None, NOT_A_PLAN_FILE)], filename)
        raise PlanFormatError([Problem(1, "a plan file is a YAML mapping (name:, roles:, phases: ...)")], filename)
    try:
        doc = PlanDoc.model_validate(data)
    except PydanticValidationError as exc:
        errors = exc.errors()
        problems += [Problem(locate(tree, tuple(e["loc"])), error_message(e)) for e in errors[:50]]
        rest = salvage(data, tree, errors)
        if rest is None:
            raise PlanFormatError(problems, filename) from None
        return Parsed(rest.doc, rest.tree, problems, rest.touched, rest.dropped)
    return Parsed(doc=doc, tree=tree, problems=problems)


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


_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _char_message(char: str) -> str:
    if char == "\x00":
        return "NUL character (U+0000): a plan file is text"
    return f"control character U+{ord(char):04X} is not allowed"


def max_bytes() -> int:
    return int(getattr(settings, "PLAN_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))
