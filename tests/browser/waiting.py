"""Waiting on the page's state under the Content-Security-Policy. Playwright's ``wait_for_function``
polls by building a function from a string inside the page, which the policy (no 'unsafe-eval')
refuses; ``page.evaluate`` runs through the DevTools protocol and is not subject to it, so poll with that.

``advance_ms``: for a page whose clock Playwright installed (``page.clock.install()`` before it loaded),
move the page's clock on that much between checks instead of waiting for it: the page's own timers
(poll intervals, reconnect back-off, the STALE threshold, SLA deadlines) fire as they would, sooner. The
condition is still the event the test waits for; only the page's idle seconds are skipped."""

from __future__ import annotations

import time
from typing import Any


def wait_for_js(pg: Any, expression: str, arg: Any = None, *, timeout: float = 5_000, advance_ms: int = 0) -> Any:
    """Evaluate ``expression`` (a JS expression, or a function taking ``arg``) until it is truthy."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        result = pg.evaluate(expression, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {expression}")
        if advance_ms:
            pg.clock.fast_forward(advance_ms)
        pg.wait_for_timeout(100)
