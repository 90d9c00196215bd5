"""A wall-clock time typed for a plan's zone (a T-0, a clockless due date) as the moment it names.

``naive.replace(tzinfo=zone)`` accepts any time: one inside a daylight-saving gap (01:30 on the morning the
clocks go forward from 01:00 to 02:00 in London) names no moment, and Python silently reads it an hour
later, so a T-0 typed as 01:30 was stored, shown and exported as 02:30. Such a time is refused, naming the
gap. A time that occurs twice (01:30 on the morning the clocks go back) is read as its first occurrence,
before the change (``fold=0``), everywhere the app reads one; a value with a UTC offset
(``2026-10-25T01:30+00:00``) names the second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from launchcontrol.dates import day_text

__all__ = ["gap_problem", "local_moment", "wall_clock_text"]

#: Real gaps are an hour or less (Samoa skipped a whole day once); searched minute by minute up to this.
_LONGEST_GAP = timedelta(days=1, hours=1)


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def _transition(naive: datetime, zone: tzinfo, before: timedelta, after: timedelta) -> datetime | None:
    """The UTC minute the zone's offset changed from ``before`` to ``after`` around ``naive``."""
    start = (naive - after).replace(tzinfo=UTC)
    end = (naive - before).replace(tzinfo=UTC)
    if not timedelta(0) < end - start <= _LONGEST_GAP:
        return None
    low, high = start, end  # offset at low is ``before``; at high, ``after``
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def gap_problem(naive: datetime, zone: tzinfo) -> str | None:
    """Why ``naive`` is no moment in ``zone`` (the clocks skipped it), or None if it is one."""
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive.replace(fold=0):
        return None
    before = naive.replace(tzinfo=zone, fold=0).utcoffset()
    after = naive.replace(tzinfo=zone, fold=1).utcoffset()
    where = f"{naive:%H:%M} does not exist on {day_text(naive.date(), year=True)} in {_zone_name(zone)}"
    if before is None or after is None or after <= before:
        return f"{where} (the clocks skip it)"
    change = _transition(naive, zone, before, after)
    if change is None:
        return f"{where} (the clocks skip it)"
    gap_from, gap_to = (change + before).replace(tzinfo=None), (change + after).replace(tzinfo=None)
    if gap_from.date() != gap_to.date():
        return f"{where}: the clocks go forward from {_at(gap_from)} to {_at(gap_to)}"
    return f"{where}: the clocks go forward from {gap_from:%H:%M} to {gap_to:%H:%M}"


def _at(moment: datetime) -> str:
    return f"{day_text(moment.date())} {moment:%H:%M}"


def local_moment(naive: datetime, zone: tzinfo) -> datetime:
    """``naive`` (a wall-clock time) in ``zone``: its first occurrence if the clocks went back over it.
    ValueError naming the gap if the clocks skipped it."""
    problem = gap_problem(naive, zone)
    if problem is not None:
        raise ValueError(problem)
    return naive.replace(tzinfo=zone, fold=0)


def wall_clock_text(local: datetime) -> str:
    """``2026-12-01T12:00``, what :func:`local_moment` reads back as ``local``; the second occurrence of a
    time the clocks passed twice keeps its UTC offset (``2026-10-25T01:30+00:00``), or it would come back
    as the first."""
    text = f"{local:%Y-%m-%dT%H:%M}"
    if local.tzinfo is not None and local.replace(fold=0).utcoffset() != local.utcoffset():
        return text + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return text
