"""Comparing launches: the figures of three launches of different outcomes side by side, on the page (with a
chart of each figure over time) and from the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from review.compare import compare, compared_plans
from tests.review.three_launches import three_launches

pytestmark = pytest.mark.django_db


def test_the_figures_side_by_side(coordinator: User) -> None:
    three_launches()
    plans = compared_plans()
    assert [p.slug for p in plans] == ["spring", "summer", "autumn"]  # oldest T-0 first
    spring, summer, autumn = compare(plans, now=plans[-1].t0 + (plans[-1].t0 - plans[0].t0))
    assert (spring.on_time, summer.on_time, autumn.on_time) == (1 / 3, 2 / 3, 1.0)
    assert (spring.overrun_min, summer.overrun_min, autumn.overrun_min) == (75, 10, 0)
    assert (spring.hold_min, summer.hold_min, autumn.hold_min) == (60, 20, 0)
    assert (spring.hold_text, summer.hold_text, autumn.hold_text) == ("1h", "20m", "0")  # as the review says it
    assert (spring.sla_breaches, summer.sla_breaches, autumn.sla_breaches) == (1, 0, 0)
    assert (spring.first_critical_min, summer.first_critical_min, autumn.first_critical_min) == (15, 90, None)
    assert [(f.criteria_met, f.criteria) for f in (spring, summer, autumn)] == [(0, 1), (1, 1), (1, 1)]
    assert (spring.outcome, autumn.outcome) == ("Rolled back", "Completed")
    assert (spring.readiness, summer.readiness, autumn.readiness) == (60, 90, 100)
    assert summer.readiness_label == "Support team 90 % (9/10)"


def test_the_page_and_the_command(coordinator: User) -> None:
    three_launches()
    client = Client()
    client.force_login(coordinator)
    page = client.get("/launches/compare/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Spring release") < body.index("Summer release") < body.index("Autumn release")
    assert body.count("<svg") == 7  # one chart per figure
    only = client.get("/launches/compare/?plan=autumn&plan=spring").content.decode()
    assert "Summer release" not in only and "Spring release" in only
    out = StringIO()
    call_command("compare_launches", "spring", "autumn", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["Launch", "T-0", "Outcome"]
    assert lines[1].startswith("spring") and "Rolled back" in lines[1] and "33 %" in lines[1] and "T+15 min" in lines[1]
    assert lines[2].startswith("autumn") and "100 %" in lines[2] and "none" in lines[2]
    assert "Readiness at gate" in lines[0] and "Support team 60 % (6/10)" in lines[1]
    assert "Readiness at the gate" in body and "Support team 100 % (10/10)" in body
    with pytest.raises(CommandError, match="no plan with slug 'winter'"):
        call_command("compare_launches", "winter")


def test_a_hold_under_a_minute_is_said_to_the_second() -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from review.compare import launch_figures

    review = SimpleNamespace(
        time_to_first_critical=None,
        readiness_at_gate=None,
        plan=SimpleNamespace(get_status_display=lambda: "Launched"),
        totals=SimpleNamespace(on_time_share=None, overrun=timedelta(0)),
        hold_time=timedelta(seconds=45),
        issue_totals=SimpleNamespace(response_breaches=0, resolution_breaches=0),
        criteria_met=0,
        criteria=[],
    )
    figures = launch_figures(review)  # type: ignore[arg-type]
    assert (figures.hold_min, figures.hold_text) == (0, "45s")


def test_the_hold_chart_says_each_launch_s_hold_to_the_second() -> None:
    """A 45 s hold is a bar labelled "45s" (the chart counted whole minutes: a bar of 0)."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from review.compare import SERIES, series_chart

    title, read, _, label = next(s for s in SERIES if s[0] == "Hold time")
    plan = SimpleNamespace(name="Short hold", t0=datetime(2026, 3, 1, 12, tzinfo=UTC))
    short = SimpleNamespace(plan=plan, hold_seconds=45, hold_text="45s")
    long = SimpleNamespace(plan=plan, hold_seconds=3600, hold_text="1h")
    svg = series_chart(title, [short, long], read, label)  # type: ignore[list-item]
    assert ">45s</text>" in svg and ">1h</text>" in svg
    heights = [float(h) for h in __import__("re").findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[0] > 0 and heights[1] / heights[0] == pytest.approx(3600 / 45)
