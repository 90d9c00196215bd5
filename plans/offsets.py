"""T-minus offsets: durations relative to T-0, written as ``T-7d``, ``T-6h``, ``T+0``, ``T+2h30m``.

An offset's whole days are calendar days in the plan's zone (``T-30d`` before a winter T-0 of 07:05 is
07:05 in summer time too, see :func:`offset_moment`); its hours, minutes and seconds are elapsed time.
A plan whose launch-day schedule is written in local clock time (06:00, 07:00...) is converted to
offsets from T-0 once, when it is imported.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_OFFSET_RE = re.compile(r"^T\s*(?P<sign>[+-])\s*(?P<body>(?:\d+\s*[wdhms]\s*)+|0)$", re.IGNORECASE)
_PART_RE = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
_DURATION_RE = re.compile(r"^(?:\d+\s*[wdhms]\s*)+$|^0$", re.IGNORECASE)


class OffsetError(ValueError):
    pass


#: Beyond any offset a plan can hold (they are bounded to ±400 days, see plans.validators); the parser
#: refuses more so that ``timedelta`` never overflows.
_MAX_SECONDS = 100 * 365 * 86400


def _seconds(body: str) -> int:
    if body == "0":
        return 0
    total = 0
    for n, u in _PART_RE.findall(body):
        if len(n) > 12:
            raise OffsetError(f"{n[:12]}…{u}: far too large")
        total += int(n) * _UNITS[u.lower()]
    if total > _MAX_SECONDS:
        raise OffsetError(f"{body[:40]}: far too large (more than 100 years)")
    return total


def parse_offset(text: str) -> timedelta:
    """``"T-1d2h"`` -> ``timedelta(days=-1, hours=-2)``. ``"T+0"``/``"T-0"``/``"T0"`` -> zero."""
    raw = str(text).strip()
    if raw.upper() in {"T0", "T-0", "T+0"}:
        return timedelta(0)
    match = _OFFSET_RE.match(raw)
    if not match:
        raise OffsetError(f"malformed offset {raw!r}: expected T-7d, T-6h, T+0, T+2h30m")
    seconds = _seconds(match["body"].replace(" ", ""))
    return timedelta(seconds=-seconds if match["sign"] == "-" else seconds)


def parse_duration(text: str) -> timedelta:
    """``"2h30m"`` -> ``timedelta(hours=2, minutes=30)``; durations are never negative."""
    written = str(text).strip()
    raw = written.replace(" ", "")
    if not _DURATION_RE.match(raw):
        raise OffsetError(f"malformed duration {written!r}: expected e.g. 30m, 2h, 1d, 1h30m")
    return timedelta(seconds=_seconds(raw))


def _compact(total: int) -> str:
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            count, total = divmod(total, size)
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0"


def format_offset(delta: timedelta) -> str:
    """The inverse of :func:`parse_offset`: ``timedelta(hours=-6)`` -> ``"T-6h"``."""
    total = int(delta.total_seconds())
    if total == 0:
        return "T+0"
    return f"T{'-' if total < 0 else '+'}{_compact(abs(total))}"


def format_duration(delta: timedelta) -> str:
    return _compact(int(abs(delta.total_seconds())))


def offset_moment(t0: datetime, zone: tzinfo, offset: timedelta) -> datetime:
    """The moment of ``offset`` from ``t0`` in a plan's zone: whole days are calendar days (``T-30d``
    keeps T-0's wall-clock time across a daylight-saving change), hours, minutes and seconds are
    elapsed time. ``T-1d2h`` is the same clock time a day earlier, then two hours before that."""
    total = offset.total_seconds()
    sign = -1 if total < 0 else 1
    days, rest = divmod(abs(total), 86400)
    base = t0
    if days:
        local = t0.astimezone(zone).replace(tzinfo=None) + timedelta(days=sign * int(days))
        base = local.replace(tzinfo=zone).astimezone(UTC)
    return base + timedelta(seconds=sign * rest)
