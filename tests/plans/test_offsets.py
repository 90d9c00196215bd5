from __future__ import annotations

from datetime import timedelta

import pytest

from plans.offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T-7d", timedelta(days=-7)),
        ("T-6h", timedelta(hours=-6)),
        ("T+0", timedelta(0)),
        ("T0", timedelta(0)),
        ("T+2h30m", timedelta(hours=2, minutes=30)),
        ("T+1d", timedelta(days=1)),
        ("T-1w", timedelta(days=-7)),
        ("t - 1d 2h", timedelta(days=-1, hours=-2)),
    ],
)
def test_parse_offset(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("bad", ["7d", "T-", "T+2x", "T-1.5h", "", "T--1d", "yesterday"])
def test_malformed_offsets_are_refused_with_the_text(bad: str) -> None:
    with pytest.raises(OffsetError, match="malformed offset"):
        parse_offset(bad)


@pytest.mark.parametrize(
    "delta", [timedelta(days=-7), timedelta(hours=2, minutes=30), timedelta(0), timedelta(seconds=-90)]
)
def test_format_is_the_inverse_of_parse(delta: timedelta) -> None:
    assert parse_offset(format_offset(delta)) == delta


def test_durations() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    with pytest.raises(OffsetError):
        parse_duration("-1h")
