"""The suite's order (tests/scheduling.py): the longest tests first, every test still collected once."""

from __future__ import annotations

from pathlib import Path

from tests.scheduling import LONGEST

ROOT = Path(__file__).resolve().parents[1]


def test_every_longest_entry_names_a_test_that_exists() -> None:
    """A renamed or removed slow test must leave the list, or it silently stops being scheduled first."""
    for prefix in LONGEST:
        path, _, name = prefix.partition("::")
        source = ROOT / path
        assert source.is_file(), prefix
        assert not name or f"def {name}(" in source.read_text(encoding="utf-8"), prefix


def test_the_longest_run_first_and_nothing_is_lost() -> None:
    from tests.scheduling import heavy_first

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid, self.fixturenames = nodeid, ["db"]

        def get_closest_marker(self, name: str) -> None:
            return None

    ids = ["tests/a.py::test_quick", "tests/communications/test_outbox_fault_run.py::test_x", "tests/b.py::test_y"]
    items = [Item(i) for i in ids]
    heavy_first(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == [ids[1], ids[0], ids[2]]
