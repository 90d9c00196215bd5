"""A plan file's problems, each with the line it sits on, and where the values of a parsed file sit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
