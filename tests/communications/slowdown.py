"""How much the machine slows a process down right now, measured rather than guessed from the load average.

A thread does a fixed amount of CPU work (``burst`` seconds of its own CPU time) every ``every`` seconds and
records how long that took on the wall clock. On a machine that gives the process a core whenever it asks,
the ratio is about 1; with a run queue of ten on two cores it is about 5. Timing bounds that assume a core
(the outbox fault run's "on time within 8 s") are multiplied by the factor, so they keep their strength on a
quiet machine and stop failing on a busy one for reasons that are not the code's. The factor is the upper
quartile of the samples over the run: a slow patch that held some deliveries up counts; one unlucky sample
does not double every bound.
"""

from __future__ import annotations

import threading
import time


class Slowdown:
    def __init__(self, every: float = 0.5, burst: float = 0.03) -> None:
        self.every, self.burst = every, burst
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slowdown-probe", daemon=True)

    def __enter__(self) -> Slowdown:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(self.sample())

    def sample(self) -> float:
        """Wall time over this thread's CPU time for ``burst`` seconds of busy work (at least 1)."""
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        while time.thread_time() - cpu0 < self.burst:
            sum(range(2000))
        return max(1.0, (time.perf_counter() - wall0) / (time.thread_time() - cpu0))

    def factor(self) -> float:
        if not self.samples:
            return 1.0
        ordered = sorted(self.samples)
        return ordered[(3 * len(ordered)) // 4]
