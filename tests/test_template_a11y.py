"""What a screen reader needs from every template, checked in the source: a table's header cells name their
column (an empty ``<th>`` over a column of buttons is read as nothing; "Actions", visually hidden, is read)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_no_table_header_cell_is_empty() -> None:
    empty = re.compile(r"<th(\s[^>]*)?>\s*</th>")
    found = [
        f"{path.relative_to(TEMPLATES)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text()]
        for m in empty.finditer(text)
    ]
    assert found == []
