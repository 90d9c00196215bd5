"""The project's Python files, for the tests that scan the source (sizes, README settings)."""

from __future__ import annotations

import os
from pathlib import Path


def python_files(root: Path, skipped: set[str]) -> list[Path]:
    """Every ``.py`` file under ``root`` with no directory named in ``skipped`` on its path, sorted.

    Skipped directories are not entered at all: a fresh clone has its virtualenv in ``.venv`` (tens of
    thousands of files), which ``Path.rglob`` walked through in full before the filter threw it away."""
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in skipped]
        found.extend(Path(directory, name) for name in files if name.endswith(".py"))
    return sorted(found)
