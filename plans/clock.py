"""The launch clock: how every page, template tag and message writes "where are we relative to T-0".

``static/js/clock.js`` implements the same rules for the browser, and ``tests/clock_cases.json`` holds
the boundary cases both implementations are tested against (``tests/plans/test_clock.py`` in Python,
``tests/browser/test_clock.py`` in Chromium). Change a rule here, there and in the table together.

Rules
-----
- **One quantity.** The clock shows the time *since* T-0, ``at - t0``, in whole seconds
  ``n = floor(at - t0)``. Negative is before the launch (``T-``), zero and positive after (``T+``).
- **Rounding: floor, once.** Before T-0 that is the remaining time rounded *up* (1.2 s to go reads
  ``T-00:00:02``; 0.4 s to go reads ``T-00:00:01``: the clock never shows ``T-00:00:00``); after T-0
  the elapsed time rounded *down* (0.6 s after reads ``T+00:00:00``). Every reading lasts exactly one
  second and changes on the whole seconds counted from T-0, in every place it is drawn.
- **The sign at T-0.** Exactly at T-0 the clock reads ``T+00:00:00``: the launch has happened.
  Within half a second either side nothing special happens (no rounding to the nearest second):
  -0.5 s is ``T-00:00:01``, +0.5 s is ``T+00:00:00``.
- **Days.** From 24 hours on, whole days lead: ``T-1d 02:03:04``, ``T+2d 00:00:01``; below a day
  there is no day part (``T-23:59:59``). Hours, minutes and seconds are always two digits.
- **Holds.** On hold the clock stands at the moment the hold started: ``at`` is the hold's
  ``started_at`` instead of now, so the frozen reading is the one the clock showed when it stopped.
- **Timers** (a hold's length, an issue's time to respond, the next message) use the same floor:
  ``format_timer`` writes an elapsed time ``MM:SS`` / ``H:MM:SS`` (hours not split into days), and
  ``format_deadline`` writes the time to a deadline as a timer until it passes, then ``+MM:SS`` over.
  Exactly at the deadline it is over (``+00:00``), as T-0 itself reads ``T+``.
- **Compact durations** for text (``2h30m`` in "Hold ended after 2h30m") are the plan format's
  :func:`plans.offsets.format_duration`; they are re-exported here so callers need one import.

The browser corrects for its own clock being wrong: the server sends its time (``data-server-now``,
``X-Server-Now``) and ``clock.js`` adds the difference to ``Date.now()`` everywhere a clock ticks.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from .offsets import format_duration

__all__ = ["countdown", "format_countdown", "format_deadline", "format_duration", "format_timer", "since"]


def _seconds(value: timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _hms(total: int) -> str:
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def format_countdown(since_t0: timedelta | float) -> str:
    """The clock for a moment ``since_t0`` after T-0 (negative before): ``T-1d 02:03:04``, ``T+00:12:30``."""
    n = math.floor(_seconds(since_t0))
    sign = "-" if n < 0 else "+"
    days, rest = divmod(abs(n), 86400)
    return f"T{sign}{f'{days}d ' if days else ''}{_hms(rest)}"


def since(t0: datetime, now: datetime, hold_since: datetime | None = None) -> timedelta:
    """Where the clock stands: ``now - t0``, or frozen at the hold's start while a hold is open."""
    return (hold_since or now) - t0


def countdown(t0: datetime, now: datetime, hold_since: datetime | None = None) -> str:
    """The clock of a launch with T-0 ``t0`` at ``now`` (frozen at ``hold_since`` during a hold)."""
    return format_countdown(since(t0, now, hold_since))


def format_timer(elapsed: timedelta | float) -> str:
    """An elapsed time, rounded down: ``07:05``, ``1:02:03``, ``50:00:00``; negative reads ``00:00``."""
    total = max(0, math.floor(_seconds(elapsed)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_deadline(left: timedelta | float) -> str:
    """Time ``left`` until a deadline as a timer (``04:59``), ``+00:00`` from the deadline on (``+01:02``)."""
    n = math.floor(-_seconds(left))  # whole seconds past the deadline, as for T-0
    return format_timer(-n) if n < 0 else f"+{format_timer(n)}"
