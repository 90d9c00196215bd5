"""The built-in template list is parsed once per process, and again only when a template file changes
(issue 11, finding 13: it was rebuilt, seconds of parsing, on every call)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import launch.format as fmt


def test_parsed_once_and_again_when_a_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in sorted(fmt.BUILTIN_DIR.glob("*.yaml"))[:2]:
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(fmt, "BUILTIN_DIR", tmp_path)
    monkeypatch.setattr(fmt, "_builtin_cache", None)
    calls: list[str] = []
    real = fmt.parse_plan_text

    def counting(text: str, filename: str = "") -> object:
        calls.append(filename)
        return real(text, filename)

    monkeypatch.setattr(fmt, "parse_plan_text", counting)
    first = fmt.builtin_templates()
    assert len(first) == 2 and len(calls) == 2
    assert fmt.builtin_templates() == first and len(calls) == 2  # cached
    first.clear()  # a caller's list is its own
    assert len(fmt.builtin_templates()) == 2
    edited = tmp_path / sorted(p.name for p in tmp_path.iterdir())[0]
    edited.write_text(edited.read_text() + "\n")
    stat = edited.stat()
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert len(fmt.builtin_templates()) == 2 and len(calls) == 4  # the changed set is read again
