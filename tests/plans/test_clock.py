"""The launch clock's rules (plans/clock.py) against the boundary table the browser's clock.js is also
tested against (tests/clock_cases.json, tests/browser/test_clock.py), and the pages that draw it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.template import Context, Template

from plans.clock import countdown, format_countdown, format_deadline, format_timer

if TYPE_CHECKING:
    from typing import Any

CASES = json.loads((Path(__file__).parents[1] / "clock_cases.json").read_text())
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _at(ms: int | None) -> datetime | None:
    return None if ms is None else T0 + timedelta(milliseconds=ms)


@pytest.mark.parametrize("case", CASES["countdown"], ids=lambda c: c["name"])
def test_countdown_cases(case: dict[str, Any]) -> None:
    now = _at(case["now_ms"])
    assert now is not None
    assert countdown(T0, now, _at(case["hold_since_ms"])) == case["expected"]


@pytest.mark.parametrize("case", CASES["countdown"], ids=lambda c: c["name"])
def test_format_countdown_takes_seconds_or_a_timedelta(case: dict[str, Any]) -> None:
    at = case["hold_since_ms"] if case["hold_since_ms"] is not None else case["now_ms"]
    assert format_countdown(timedelta(milliseconds=at)) == case["expected"]
    assert format_countdown(at / 1000) == case["expected"]


@pytest.mark.parametrize("case", CASES["timer"], ids=lambda c: c["name"])
def test_timer_cases(case: dict[str, Any]) -> None:
    assert format_timer(case["seconds"]) == case["expected"]
    assert format_timer(timedelta(seconds=case["seconds"])) == case["expected"]


@pytest.mark.parametrize("case", CASES["deadline"], ids=lambda c: c["name"])
def test_deadline_cases(case: dict[str, Any]) -> None:
    assert format_deadline(case["seconds_left"]) == case["expected"]
    assert format_deadline(timedelta(seconds=case["seconds_left"])) == case["expected"]


def test_template_filters_draw_what_the_browser_draws() -> None:
    now = T0 - timedelta(seconds=0.4)
    html = Template(
        "{% load launchclock %}{{ since|countdown }}|{{ started|timer:now }}|{{ due|deadline:now }}|{{ t0|ms }}"
    ).render(
        Context(
            {
                "since": now - T0,
                "now": now,
                "started": now - timedelta(minutes=7, seconds=5.5),
                "due": now,
                "t0": T0,
            }
        )
    )
    assert html == f"T-00:00:01|07:05|+00:00|{int(T0.timestamp() * 1000)}"


def test_filters_leave_missing_values_empty() -> None:
    html = Template("{% load launchclock %}[{{ x|countdown }}{{ x|timer:x }}{{ x|deadline:x }}{{ x|ms }}]").render(
        Context({"x": None})
    )
    assert html == "[]"
