"""What is left of a plan file once the values the schema refused are taken out.

The schema stops at the first bad value of each field, but the checks across the file (unknown names,
duplicates, cycles) can still run on everything else, so one run reports every error it can. The bad
values are removed (a field with a default takes it; a required field gets a neutral stand-in or its
entry is left out) until the rest validates. Only the schema's first report is shown to the author: what
removal causes is not their mistake, so checks of one entry's own fields are skipped for the entries
touched here, and a reference to an entry left out is not called unknown.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from plans.validators import visible_or_empty

from .problems import Loc, Located
from .schema import PlanDoc

#: Stand-ins for required fields that are not names (a name is what other entries refer to).
_STAND_INS: dict[str, Any] = {"at": "T+0", "response": "0", "kind": "other", "label": "?", "title": "?"}
#: The kind of name each list of the file holds, for "unknown <kind> 'name'".
_KINDS = {
    "roles": "role",
    "steps": "step",
    "phases": "phase",
    "gates": "gate",
    "metrics": "metric",
    "channels": "channel",
    "checklists": "checklist",
}
#: A list refused as a whole hides the names of these kinds (a phase holds steps).
_UNCHECKABLE = {key: (kind, "step") if key == "phases" else (kind,) for key, kind in _KINDS.items()}
_ROUNDS = 8
#: In ``Salvaged.dropped``: every name of that kind is unknown (its whole list was refused).
ANY_NAME = "*"


@dataclass
class Salvaged:
    doc: PlanDoc
    tree: Located | None
    #: Entries changed here (their own consistency is not checked).
    touched: list[list[Any]] = field(default_factory=list)
    #: Names of entries left out, by kind ("step": {"Deploy"}).
    dropped: dict[str, set[str]] = field(default_factory=dict)


def salvage(data: dict[str, Any], tree: Located | None, errors: list[Any]) -> Salvaged | None:
    """The plan as far as it validates once the values in ``errors`` are out; None if nothing is left."""
    state = _State(copy.deepcopy(data), copy.deepcopy(tree))
    for _ in range(_ROUNDS):
        targets = {_data_path(state.data, e["loc"]): e["type"] == "missing" for e in errors}
        for path in sorted(targets, reverse=True):  # later entries first: earlier indices stay valid
            if not state.fix(path, missing=targets[path]):
                return None
        try:
            doc = PlanDoc.model_validate(state.data)
        except PydanticValidationError as exc:
            errors = exc.errors()
            continue
        return Salvaged(doc=doc, tree=state.tree, touched=state.touched, dropped=state.dropped)
    return None


def _data_path(data: Any, loc: tuple[Any, ...]) -> Loc:
    """``loc`` without pydantic's own parts (union members, validator names): only steps into the data."""
    path: list[Any] = []
    node = data
    for part in loc:
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and part == loc[-1] and isinstance(part, str):
            path.append(part)  # a missing field
    return tuple(path)


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


class _State:
    def __init__(self, data: dict[str, Any], tree: Located | None) -> None:
        self.data = data
        self.tree = tree
        self.touched: list[list[Any]] = []
        self.dropped: dict[str, set[str]] = {}

    def fix(self, path: Loc, *, missing: bool) -> bool:
        """Take the value at ``path`` out (or stand in for a missing one). False: the plan itself is gone."""
        if not path:
            return False
        parent = self._node(path[:-1])
        key = path[-1]
        if isinstance(parent, list):
            self._drop(path)
            return True
        if not isinstance(parent, dict):
            return True  # already gone with its entry
        if missing and key in _STAND_INS or (missing and key == "name" and len(path) == 1):
            parent[key] = _STAND_INS.get(key, "?")
        elif missing or (key == "name" and len(path) > 1):  # every entry's name is required
            entry = max((i for i, part in enumerate(path) if isinstance(part, int)), default=None)
            if entry is None:
                return False
            self._drop(path[: entry + 1])
            return True
        else:
            parent.pop(key, None)
            for kind in _UNCHECKABLE.get(key, ()):  # a list of names refused: no reference to them is checked
                self.dropped.setdefault(kind, set()).add(ANY_NAME)
        self._touch(path[:-1])
        return True

    def _node(self, path: Loc) -> Any:
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def _touch(self, entry: Loc) -> None:
        if entry and list(entry) not in self.touched:
            self.touched.append(list(entry))

    def _drop(self, path: Loc) -> None:
        """Leave out list entry ``path``; later entries move up (in the data, the lines and ``touched``)."""
        items = self._node(path[:-1])
        index = path[-1]
        if not isinstance(items, list) or not 0 <= index < len(items):
            return
        self._record_names(path[-2] if len(path) > 1 else None, items[index])
        del items[index]
        located = self._located(path[:-1])
        if located is not None:
            for j in range(index, len(items) + 1):
                if j + 1 in located.lines:
                    located.lines[j], located.children[j] = located.lines[j + 1], located.children[j + 1]
                else:
                    located.lines.pop(j, None)
                    located.children.pop(j, None)
        depth = len(path) - 1
        for entry in self.touched:
            if entry[:depth] == list(path[:-1]) and len(entry) > depth and entry[depth] > index:
                entry[depth] -= 1
        self.touched = [e for e in self.touched if e[: len(path)] != list(path)]

    def _located(self, path: Loc) -> Located | None:
        node = self.tree
        for part in path:
            if node is None:
                return None
            node = node.children.get(part)
        return node

    def _record_names(self, section: Any, value: Any) -> None:
        if not isinstance(value, dict):
            return
        kind = _KINDS.get(section) if isinstance(section, str) else None
        if kind and isinstance(value.get("name"), str):
            name = value["name"].strip()
            # A reference is cleaned as a name is: one of only invisible characters reads as "".
            self.dropped.setdefault(kind, set()).update({name, visible_or_empty(name)})
        for inner in value.get("steps", []) if isinstance(value.get("steps"), list) else []:
            self._record_names("steps", inner)
