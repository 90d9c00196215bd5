"""The suite's order (tests/scheduling.py): the longest tests first, every test still collected once."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.scheduling import LONGEST

ROOT = Path(__file__).resolve().parents[1]


def test_every_longest_entry_names_a_test_that_exists() -> None:
    """A renamed or removed slow test must leave the list, or it silently stops being scheduled first."""
    for prefix in LONGEST:
        path, _, name = prefix.partition("::")
        source = ROOT / path
        assert source.is_file(), prefix
        assert not name or f"def {name}(" in source.read_text(encoding="utf-8"), prefix


class Item:
    """What the ordering sees of a collected test."""

    def __init__(self, nodeid: str, fixtures: tuple[str, ...] = ("db",)) -> None:
        self.nodeid, self.fixturenames = nodeid, list(fixtures)

    def get_closest_marker(self, name: str) -> None:
        return None


def test_the_order_waiting_light_long_heavy_then_the_light_kept_back() -> None:
    from tests.scheduling import KEPT_FOR_THE_END, suite_order

    light = [f"tests/a.py::test_{n}" for n in range(20)]
    collected = [
        Item(light[0]),
        Item("tests/browser/test_csp.py::test_x", ("page",)),  # in LONGEST, after the walkthrough
        Item("tests/b.py::test_heavy", ("live_server",)),
        Item("tests/statuspage/test_once_per_update.py::test_x"),  # waiting, listed after the fault run
        Item("tests/browser/test_walkthrough.py::test_x", ("page",)),
        Item("tests/communications/test_outbox_fault_run.py::test_x"),
        *[Item(n) for n in light[1:]],
    ]
    items = list(collected)
    suite_order(items)  # type: ignore[arg-type]
    kept = int(len(light) * KEPT_FOR_THE_END)
    assert kept == 3
    assert [i.nodeid for i in items] == [
        "tests/communications/test_outbox_fault_run.py::test_x",
        "tests/statuspage/test_once_per_update.py::test_x",
        *light[:-kept],
        "tests/browser/test_walkthrough.py::test_x",
        "tests/browser/test_csp.py::test_x",
        "tests/b.py::test_heavy",
        *light[-kept:],
    ]
    assert sorted(map(id, items)) == sorted(map(id, collected))  # each test once: none lost, none twice


class FakeNode:
    """What the scheduler sees of a pytest-xdist process: the tests it is sent, in order."""

    def __init__(self, name: str) -> None:
        self.sent: list[int] = []
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False

    def send_runtest_some(self, indices: list[int]) -> None:
        assert not self.shutting_down
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def scheduled(collection: list[str], processes: int) -> tuple[Any, list[FakeNode]]:
    """The scheduler, with ``collection`` handed out to fake processes as at the start of a run."""
    from tests.scheduling import PullScheduling

    scheduler = PullScheduling.__new__(PullScheduling)  # xdist's state without a pytest config
    nodes = [FakeNode(f"gw{n}") for n in range(processes)]
    scheduler.numnodes, scheduler.collection = processes, None
    scheduler.maxschedchunk = None  # type: ignore[assignment]  # as with no --maxschedchunk
    scheduler.node2collection = {node: list(collection) for node in nodes}  # type: ignore[misc]
    scheduler.node2pending = {node: [] for node in nodes}  # type: ignore[misc]
    scheduler.pending = []
    scheduler.schedule()
    return scheduler, nodes


def run(collection: list[str], processes: int) -> list[list[str]]:
    """Schedule ``collection`` on fake processes and run it: each process runs the head of what it holds, a
    waiting test for ten ticks of the clock and any other for one. What each process ran, in order."""
    from tests.scheduling import WAITING

    scheduler, nodes = scheduled(collection, processes)
    ran: list[list[str]] = [[] for _ in nodes]
    left = [0] * processes  # ticks left of the test each process is running
    for _ in range(10 * len(collection) + 1):  # a guard against a schedule that never ends
        if all(node.shutting_down and not scheduler.node2pending[node] for node in nodes):  # type: ignore[index]
            break
        for n, node in enumerate(nodes):
            queue = scheduler.node2pending[node]  # type: ignore[index]
            assert queue == node.sent[len(ran[n]) :]  # it holds what it was sent and has not run yet
            if not queue:
                assert node.shutting_down, "a process with nothing to run was not told to stop"
                continue
            name = collection[queue[0]]
            left[n] = left[n] or (10 if name.startswith(WAITING) else 1)
            left[n] -= 1
            if left[n] == 0:
                ran[n].append(name)
                scheduler.mark_test_complete(node, queue[0])
    else:
        raise AssertionError("the schedule never ended")
    assert sorted(name for names in ran for name in names) == sorted(collection)  # each once: none lost, none twice
    return ran


COLLECTION = [  # as suite_order leaves it: the waiting tests first
    "tests/communications/test_outbox_fault_run.py::test_a",
    "tests/statuspage/test_once_per_update.py::test_c",
    "tests/communications/test_worker_kill.py::test_d",
    *[f"tests/test_q.py::test_{n}" for n in range(30)],
    "tests/browser/test_walkthrough.py::test_b",
    "tests/browser/test_csp.py::test_e",
    "tests/review/test_review_browser.py::test_f",
    *[f"tests/test_r.py::test_{n}" for n in range(5)],
]


def test_the_waiting_tests_go_to_one_process_and_the_rest_to_whoever_runs_short() -> None:
    waiting, first, second = run(COLLECTION, 3)
    assert waiting[:3] == COLLECTION[:3]  # one after another, in order
    rest = COLLECTION[3:]
    # The others ran the light tests while the waiting ones ran (30 ticks: 15 tests each)...
    assert sorted(first[:15] + second[:15]) == sorted(rest[:30])
    # ...and each test started in the order it was collected, whichever process was free taking the next.
    assert sorted(waiting[3:] + first + second, key=rest.index) == rest
    for names in (waiting[3:], first, second):
        assert names == sorted(names, key=rest.index)
    assert abs(len(first) - len(second)) <= 1  # and shared them evenly


def test_one_or_two_processes_run_every_test_once() -> None:
    for processes in (1, 2):
        ran = run(COLLECTION, processes)
        if processes == 1:
            assert ran == [COLLECTION]  # everything, in order
        else:
            assert ran[0][:3] == COLLECTION[:3]
            assert ran[1][:6] == COLLECTION[3:9]


def test_no_tests_and_a_process_that_crashes() -> None:
    assert run([], 3) == [[], [], []]
    collection = [f"tests/test_q.py::test_{n}" for n in range(6)]
    scheduler, nodes = scheduled(collection, 2)
    assert nodes[0].sent == [0, 1] and nodes[1].sent == [2, 3]
    crashed = scheduler.remove_node(nodes[0])  # type: ignore[arg-type]  # gw0 dies running test_0
    assert crashed == collection[0]
    assert scheduler.pending == [4, 5, 1]  # what it held goes back, to whoever runs short
    for index in (2, 3, 4, 5):
        scheduler.mark_test_complete(nodes[1], index)  # type: ignore[arg-type]
    assert nodes[1].sent == [2, 3, 4, 5, 1]
    assert scheduler.pending == [] and nodes[1].shutting_down  # told to stop once it has run what it holds
