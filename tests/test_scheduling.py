"""The suite's order (tests/scheduling.py): the longest tests first, every test still collected once."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

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


class FakeNode:
    """What the scheduler sees of a pytest-xdist process: the tests it is sent, in order."""

    def __init__(self, name: str) -> None:
        self.sent: list[int] = []
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        pass


def scheduled(collection: list[str], processes: int) -> tuple[list[list[str]], list[str]]:
    """What each process is sent first, and what stays pending for whoever runs short."""
    from tests.scheduling import RoundRobinFirst

    scheduler = RoundRobinFirst.__new__(RoundRobinFirst)  # xdist's state without a pytest config
    nodes = [FakeNode(f"gw{n}") for n in range(processes)]
    scheduler.numnodes, scheduler.collection = processes, None
    scheduler.maxschedchunk = None  # type: ignore[assignment]  # as with no --maxschedchunk
    scheduler.node2collection = {node: list(collection) for node in nodes}  # type: ignore[misc]
    scheduler.node2pending = {node: [] for node in nodes}  # type: ignore[misc]
    scheduler.pending = []
    scheduler.schedule()
    for node in nodes:
        assert scheduler.node2pending[node] == node.sent  # type: ignore[index]
    return [[collection[i] for i in node.sent] for node in nodes], [collection[i] for i in scheduler.pending]


COLLECTION = [
    "tests/communications/test_outbox_fault_run.py::test_a",
    "tests/browser/test_walkthrough.py::test_b",
    "tests/statuspage/test_once_per_update.py::test_c",
    "tests/communications/test_worker_kill.py::test_d",
    "tests/browser/test_csp.py::test_e",
    "tests/review/test_review_browser.py::test_f",
    *[f"tests/test_q.py::test_{n}" for n in range(30)],
]


def test_the_waiting_tests_go_to_one_process_and_the_rest_round_robin() -> None:
    sent, pending = scheduled(COLLECTION, 3)
    waiting, first, second = sent
    assert waiting == [COLLECTION[0], COLLECTION[2], COLLECTION[3]]  # one after another, longest first
    assert first == [COLLECTION[1], COLLECTION[5], COLLECTION[7]]  # the rest of the first block, one each in turn
    assert second == [COLLECTION[4], COLLECTION[6], COLLECTION[8]]
    everything = waiting + first + second + pending
    assert sorted(everything) == sorted(COLLECTION)  # each test once: none lost, none twice
    assert pending == COLLECTION[len(COLLECTION) - len(pending) :]  # the rest in order, for whoever runs short


def test_one_or_two_processes_get_every_test_once() -> None:
    for processes in (1, 2):
        sent, pending = scheduled(COLLECTION, processes)
        assert sorted([n for queue in sent for n in queue] + pending) == sorted(COLLECTION)
        if processes == 2:
            assert sent[0] == [COLLECTION[0], COLLECTION[2], COLLECTION[3]]
