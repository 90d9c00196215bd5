"""The order the suite runs in: the longest tests first, so that under pytest-xdist the processes finish
together instead of one of them starting a minute-long test when the other has nothing left to do.

pytest-xdist's ``--dist load`` (the default) hands each process a block of consecutive tests first (a
quarter of its share), then more as it asks; each process runs what it was given in that order. With the
long tests at the front, that first block would give them all to one process. So ``tests/conftest.py``
puts the long tests first (:func:`heavy_first`, from ``pytest_collection_modifyitems``: every xdist process
collects the same way, so they agree on the order) and makes the scheduler hand out that first quarter one
test at a time, round-robin (:class:`RoundRobinFirst`): the long tests start at once, spread over the
processes, and the short ones fill in behind. The few that mostly wait (:data:`WAITING`: real Celery workers
starting, Redis stopped for ten seconds, a worker killed; some 85 s together) go to one process, one after
another, instead of one to each process at once (then the cores were about a fifth idle in the first minute).
Measured taking turns on two cores (2026-11-27): the suite 160–179 s in eleven runs, against 167–196 s in five
before. The order is only an order: every test still runs, once, with the same fixtures and assertions.

``LONGEST`` lists the slowest tests, longest first, from ``pytest --durations`` (docs/performance.md, "The test
suite's time"); a test missing from it runs after them. Then come the tests that drive Chromium, start processes
or a live server, or need a transactional database (each flushes every table afterwards), then the rest.
"""

from __future__ import annotations

from itertools import cycle
from typing import TYPE_CHECKING

from xdist.scheduler import LoadScheduling

if TYPE_CHECKING:
    import pytest
    from xdist.workermanage import WorkerController

#: The slowest tests (node id prefixes), longest first: measured with ``--durations`` on two cores.
LONGEST = (
    "tests/communications/test_outbox_fault_run.py::",  # real workers, Redis and outages: ~80 s, mostly waiting
    "tests/browser/test_walkthrough.py::",
    "tests/statuspage/test_once_per_update.py::",  # real workers, one killed
    "tests/communications/test_worker_kill.py::",
    "tests/browser/test_csp.py::",
    "tests/browser/test_live.py::",
    "tests/browser/test_status_page.py::",
    "tests/browser/test_board_fit.py::",
    "tests/issue16/test_recurring_steps.py::",
    "tests/browser/test_raise_issue.py::",
    "tests/browser/test_warroom.py::",
    "tests/test_parallel.py::",  # Django started in subprocesses
    "tests/review/test_post_launch_browser.py::",
    "tests/browser/test_readiness.py::",
    "tests/browser/test_rollout.py::",
    "tests/browser/test_first_hour.py::",
    "tests/browser/test_runbook.py::",
    "tests/browser/test_role_page.py::",
    "tests/browser/test_readiness_live.py::",
    "tests/communications/test_outbox.py::test_whole_plan_each_reminder_and_message_once_at_its_time",
    "tests/browser/test_plan_text.py::",
    "tests/browser/test_live_plan_pages.py::",
    "tests/issue16/test_recurring.py::",
    "tests/browser/test_live_pages.py::",
    "tests/test_deploy.py::",
    "tests/review/test_simulated_launch.py::",
    "tests/issue16/test_rota.py::test_whoever_starts_a_shift_is_reminded_once",
)

#: Tests that mostly wait (real Celery workers starting, Redis stopped, a worker killed): under pytest-xdist they
#: go to one process, one after another, while the other processes keep the cores busy.
WAITING = (
    "tests/communications/test_outbox_fault_run.py::",
    "tests/statuspage/test_once_per_update.py::",
    "tests/communications/test_worker_kill.py::",
)

#: Fixtures that make a test slow to set up or tear down (a browser page, a server, a database flush).
HEAVY_FIXTURES = frozenset(
    {"page", "browser", "live_server", "login_page", "transactional_db", "django_db_reset_sequences"}
)


def _rank(item: pytest.Item) -> tuple[int, int]:
    node = item.nodeid
    for n, prefix in enumerate(LONGEST):
        if node.startswith(prefix):
            return (0, n)
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if fixtures & HEAVY_FIXTURES or transactional or item.get_closest_marker("browser"):
        return (1, 0)
    return (2, 0)


def heavy_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: the longest first, then the heavy ones, then the rest (stable)."""
    items.sort(key=_rank)


class RoundRobinFirst(LoadScheduling):
    """``--dist load``, except that the first quarter of the tests goes out one at a time, round-robin,
    instead of in one block per process, and the :data:`WAITING` tests among them all to the first process;
    the rest is scheduled exactly as by ``LoadScheduling`` (that process too asks for more once they are done)."""

    def schedule(self) -> None:
        assert self.collection_is_completed
        started = self.collection is not None  # type: ignore[has-type]
        if started or not self._check_nodes_have_same_collection():
            super().schedule()  # a node added later, or different collections: xdist's own handling
            return
        collection = next(iter(self.node2collection.values()))
        self.collection = collection
        self.pending[:] = range(len(collection))
        if not collection:
            return
        if self.maxschedchunk is None:  # type: ignore[has-type]
            self.maxschedchunk = len(collection)
        first = min(len(self.pending), max(len(collection) // 4, 2 * len(self.nodes)))
        block = self.pending[:first]
        nodes = self.nodes
        waiting = [i for i in block if collection[i].startswith(WAITING)]
        if len(nodes) > 1 and waiting:  # one process takes the waiting tests, one after another
            self._send_some(nodes[0], waiting)
            block = [i for i in block if i not in waiting]
            nodes = nodes[1:]
        turns = cycle(nodes)
        for index in block:
            self._send_some(next(turns), [index])
        if not self.pending:
            for node in self.nodes:
                node.shutdown()

    def _send_some(self, node: WorkerController, indices: list[int]) -> None:
        """Send these tests (indices into the collection, still pending) to ``node``, in this order."""
        for index in indices:
            self.pending.remove(index)
        self.node2pending[node].extend(indices)
        node.send_runtest_some(indices)
