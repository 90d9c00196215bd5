"""Read a plan file with ruamel.yaml, keeping where every value sits so each problem has a line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .schema import PlanDoc

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

    def __init__(self, problems: list[Problem], filename: str = "<plan>") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.message))
        self.filename = filename
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.render(self.filename) for p in self.problems]


@dataclass
class Parsed:
    doc: PlanDoc
    tree: Any

    def line(self, loc: Loc) -> int | None:
        return locate(self.tree, loc)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime | date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    return node


def locate(tree: Any, loc: Loc) -> int | None:
    """The 1-based line of the value at ``loc`` (or of the nearest enclosing node that exists)."""
    node = tree
    line = 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
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
    """Parse and validate a plan file's text (schema only; see checks for references)."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise PlanFormatError([Problem(line, f"invalid YAML: {what}")], filename) from None
    if not isinstance(tree, CommentedMap):
        raise PlanFormatError([Problem(1, "a plan file is a YAML mapping (name:, roles:, phases: ...)")], filename)
    try:
        doc = PlanDoc.model_validate(_plain(tree))
    except PydanticValidationError as exc:
        problems = [Problem(locate(tree, tuple(e["loc"])), _message(e)) for e in exc.errors()]
        raise PlanFormatError(problems, filename) from None
    return Parsed(doc=doc, tree=tree)
