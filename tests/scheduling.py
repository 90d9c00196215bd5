"""The order the suite runs in, and how pytest-xdist hands it out: the cores busy from the first second to
the last. On two cores the suite is limited by CPU, so what is lost is the time a core has nothing to run:
while most processes wait (on a browser, a server, a Celery worker) or while one of them finishes alone.

The order (:func:`suite_order`, from ``pytest_collection_modifyitems``: every xdist process collects the same
way, so they agree on it):

1. :data:`WAITING`, the three tests that mostly wait (real Celery workers starting, Redis stopped for ten
   seconds, a worker killed; some 85 s together): all to the first process, one after another.
2. The light tests (no browser, server, Celery worker or transactional database), but for a share kept for the
   end: CPU for the other processes while the first one waits (they used to run the browser tests then, which
   wait too, and the cores were a sixth idle in the first minute and a half).
3. The rest of :data:`LONGEST`, longest first, then the other heavy tests (a browser, a live server, a
   transactional database), when every process is working.
4. The light tests kept back (:data:`KEPT_FOR_THE_END`): short, so that the processes finish together.

The scheduler (:class:`PullScheduling`) gives the waiting tests to the first process and then hands out the
rest in that order, to each process as it runs short, two at a time (one running, one queued): a long test
starts on whichever process is free. pytest-xdist's own ``--dist load`` sends blocks of up to a quarter of
what is left, so one process could hold several long tests that another process, idle at the end, could
have run. Measured taking turns on two cores (2026-11-28), eight runs each: 2 min 49 s – 3 min 14 s (mean
3 min 0 s), against 2 min 51 s – 3 min 37 s (mean 3 min 15 s) for the order before (the waiting tests on one
process, the browser tests first, xdist's blocks); faster in seven of the eight pairs. The order is only an
order: every test still runs, once, with the same fixtures and assertions.

``LONGEST`` lists the slowest tests, longest first, from ``pytest --durations`` (docs/performance.md, "The test
suite's time"); a heavy test missing from it runs after them.
"""

from __future__ import annotations

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
    "tests/test_embedded_default.py::",  # Django on SQLite in a subprocess: migrate, the demo, every page
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

#: The share of the light tests kept for the end of the run, so that the processes finish together.
KEPT_FOR_THE_END = 0.15

#: Fixtures that make a test slow to set up or tear down (a browser page, a server, a database flush).
HEAVY_FIXTURES = frozenset(
    {"page", "browser", "live_server", "login_page", "transactional_db", "django_db_reset_sequences"}
)


def _rank(item: pytest.Item) -> tuple[int, int]:
    """``(0, n)`` for the n-th of :data:`LONGEST`, ``(1, 0)`` for another heavy test, ``(2, 0)`` for a light one."""
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


def suite_order(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place (see the module's docstring); each group keeps the collection's order."""
    ranks = {id(item): _rank(item) for item in items}
    waiting = sorted((i for i in items if i.nodeid.startswith(WAITING)), key=lambda i: ranks[id(i)])
    rest = [i for i in items if not i.nodeid.startswith(WAITING)]  # each test in one group, whatever its rank
    longest = sorted((i for i in rest if ranks[id(i)][0] == 0), key=lambda i: ranks[id(i)])
    heavy = [i for i in rest if ranks[id(i)][0] == 1]
    light = [i for i in rest if ranks[id(i)][0] == 2]
    split = len(light) - int(len(light) * KEPT_FOR_THE_END)
    items[:] = [*waiting, *light[:split], *longest, *heavy, *light[split:]]


class PullScheduling(LoadScheduling):
    """``--dist load``, except that the :data:`WAITING` tests all go to the first process at the start, and the
    others go out in order, two at a time, to each process as it runs short (see the module's docstring)."""

    #: Tests a process holds: the one it runs and the next, so that it never waits for the controller.
    QUEUE = 2

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
            for node in self.nodes:
                node.shutdown()
            return
        nodes = self.nodes
        waiting = [i for i in self.pending if collection[i].startswith(WAITING)]
        if len(nodes) > 1 and waiting:  # one process takes the waiting tests, one after another
            self._send_some(nodes[0], waiting)
            nodes = nodes[1:]
        for node in nodes:
            self.check_schedule(node)

    def check_schedule(self, node: WorkerController, duration: float = 0) -> None:
        """Top the process's queue up to :attr:`QUEUE` tests from the front of what is pending; with nothing
        pending, let it finish what it holds and stop."""
        if node.shutting_down:
            return
        if not self.pending:
            node.shutdown()
            return
        short = self.QUEUE - len(self.node2pending[node])
        if short > 0:
            self._send_some(node, self.pending[:short])

    def _send_some(self, node: WorkerController, indices: list[int]) -> None:
        """Send these tests (indices into the collection, still pending) to ``node``, in this order."""
        for index in indices:
            self.pending.remove(index)
        self.node2pending[node].extend(indices)
        node.send_runtest_some(indices)
