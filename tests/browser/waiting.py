"""Waiting on the page's state under the Content-Security-Policy. Playwright's ``wait_for_function``
polls by building a function from a string inside the page, which the policy (no 'unsafe-eval')
refuses; ``page.evaluate`` runs through the DevTools protocol and is not subject to it, so poll with that."""

from __future__ import annotations

import time
from typing import Any


def wait_for_js(pg: Any, expression: str, arg: Any = None, *, timeout: float = 5_000) -> Any:
    """Evaluate ``expression`` (a JS expression, or a function taking ``arg``) until it is truthy."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        result = pg.evaluate(expression, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {expression}")
        pg.wait_for_timeout(100)
