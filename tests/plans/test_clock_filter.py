"""The board's and pages' ``clock`` filter: a moment says as much of its date as is needed to read it right."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import time_machine

from plans.templatetags.launchtime import clock

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 28, 10, 18, tzinfo=UTC)  # a Saturday


def test_today_the_time_this_week_the_weekday_further_the_date() -> None:
    with time_machine.travel(NOW, tick=False):
        assert clock(NOW + timedelta(minutes=18), LONDON) == "10:36"
        assert clock(NOW - timedelta(days=1), LONDON) == "Fri 10:18"
        assert clock(NOW + timedelta(days=5), LONDON) == "Thu 10:18"
        # a week on is the same weekday: "Sat 10:36" beside a T-0 of 10:36 read as 18 minutes away
        assert clock(NOW + timedelta(days=7, minutes=18), LONDON) == "Sat 5 Dec 10:36"
        assert clock(NOW - timedelta(days=30), LONDON) == "Thu 29 Oct 10:18"
        # five days ago: "Mon 10:18" read as the coming Monday (the board's "Last" message, due at T-7d)
        assert clock(NOW - timedelta(days=5), LONDON) == "Mon 23 Nov 10:18"
        assert clock(NOW - timedelta(days=2), LONDON) == "Thu 26 Nov 10:18"
        assert clock(None, LONDON) == ""
