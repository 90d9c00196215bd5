"""The review's pure figures: windows, outcomes, the critical path, SLAs, charts and safe exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from review.charts import metric_chart
from review.figures.issues import IssueRun, issue_totals
from review.figures.metrics import Reading, metric_run, window_span
from review.figures.steps import StepRun, critical_path, phase_runs, step_totals
from review.report.csvs import cell, to_csv
from review.report.markdown import md

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("first 24 hours", timedelta(hours=24)),
        ("first week", timedelta(days=7)),
        ("First month", timedelta(days=30)),
        ("first day (go-live metrics); first week (success criteria)", timedelta(days=1)),
        ("first two weeks", timedelta(days=14)),
        ("first 90 minutes", timedelta(minutes=90)),
        ("p95", None),
        ("during launch period", None),
        ("", None),
    ],
)
def test_window_span(text: str, span: timedelta | None) -> None:
    assert window_span(text) == span


def _step(
    pk: int,
    start: int,
    end: int,
    a_start: int | None,
    a_end: int | None,
    *,
    after: tuple[int, ...] = (),
    status: str = "done",
    phase: str = "P",
) -> StepRun:
    def t(m: int | None) -> datetime | None:
        return None if m is None else T0 + m * M

    return StepRun(pk, f"s{pk}", phase, "", status, T0 + start * M, T0 + end * M, t(a_start), t(a_end), after)


def test_outcomes_and_totals() -> None:
    late = _step(1, 0, 10, 0, 15)
    early = _step(2, 10, 20, 12, 18)
    exact = _step(3, 20, 30, 20, 30)  # finishing exactly on the planned end is on time (late is strictly after)
    running = _step(4, 30, 40, 31, None, status="in_progress")
    skipped = _step(5, 40, 50, None, None, status="skipped")
    assert [s.outcome for s in (late, early, exact, running, skipped)] == [
        "late",
        "on_time",
        "on_time",
        "unfinished",
        "skipped",
    ]
    assert (late.overrun, early.overrun, early.start_delay, running.overrun) == (5 * M, -4 * M, 2 * M, None)
    totals = step_totals([late, early, exact, running, skipped])
    assert (totals.on_time, totals.late, totals.unfinished, totals.skipped, totals.started_late) == (2, 1, 1, 1, 2)
    assert totals.overrun == 5 * M and totals.on_time_share == pytest.approx(2 / 3)
    [phase] = phase_runs([late, early, exact, running, skipped], ["P"])
    assert phase.actual_finish is None and phase.late_steps == 1  # a step still runs
    [done] = phase_runs([late, early], ["P"])
    assert (done.actual_start, done.actual_finish, done.finish_delay) == (T0, T0 + 18 * M, -2 * M)


def test_critical_path_follows_the_predecessor_that_finished_last() -> None:
    a = _step(1, 0, 10, 0, 12)
    b = _step(2, 0, 10, 0, 25)  # finished later than a: b drove c
    c = _step(3, 10, 20, 25, 40, after=(1, 2))
    d = _step(4, 0, 5, 0, 5)  # unrelated, finished early
    assert [s.id for s in critical_path([a, b, c, d])] == [2, 3]
    assert critical_path([_step(1, 0, 10, None, None, status="pending")]) == []


def test_issue_slas() -> None:
    now = T0 + 5 * 60 * M

    def issue(ack: int | None, res: int | None, within: timedelta | None = None) -> IssueRun:
        t = lambda m: None if m is None else T0 + m * M  # noqa: E731
        return IssueRun(1, "x", "critical", "open", T0, t(ack), t(res), T0 + 15 * M, within, now)

    assert not issue(15, None).response_breached  # exactly at respond_by: in time
    assert issue(16, None).response_breached
    assert issue(None, None).response_breached  # still unanswered at the review, past respond_by
    assert issue(5, 90, timedelta(hours=1)).resolution_breached
    assert not issue(5, 60, timedelta(hours=1)).resolution_breached
    totals = issue_totals([issue(5, 60), issue(20, None)])
    assert (totals.response_breaches, totals.mean_response, totals.first_critical_at) == (1, 12.5 * M, T0)


def test_metric_verdicts_and_chart() -> None:
    readings = [
        Reading(T0 - 60 * M, Decimal("1")),
        Reading(T0 + 10 * M, Decimal("0.05")),
        Reading(T0 + 2 * 60 * M, Decimal("0.5")),
    ]
    run = metric_run(
        name='Error <rate> & "co"',
        category="",
        unit="%",
        comparator="<",
        target=Decimal("0.1"),
        window_text="first hour",
        t0=T0,
        readings=readings,
    )
    assert (run.count, run.latest) == (1, readings[1])  # before T-0 and after the first hour: outside
    assert run.verdict == "met"
    svg = metric_chart(run, label=lambda d: f"{d:%H:%M}", now=T0 + 3 * 60 * M)
    assert svg.startswith("<svg") and svg.count("<circle") == 3
    assert "Error &lt;rate&gt; &amp; &quot;co&quot;" in svg and "<rate>" not in svg
    assert svg.count('fill="#c0262d"') == 2  # the two readings out of range, red
    empty = metric_run(name="x", category="", unit="", comparator="", target=None, window_text="", t0=T0, readings=[])
    assert empty.verdict == "tracked" and "No readings" in metric_chart(empty, label=str, now=T0)


def test_exports_defuse_formulas_and_markdown() -> None:
    assert cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell("-5") == "-5" and cell("+20") == "+20"  # numbers stay numbers
    assert to_csv(["a"], [["@SUM(A1)"]]) == "a\n'@SUM(A1)\n"
    assert md("a | b *c* [x](y) <b>") == "a \\| b \\*c\\* \\[x\\](y) \\<b\\>"
    assert md("two\nlines") == "two lines"


def test_a_week_of_readings_every_10_seconds_draws_a_chart_of_a_few_hundred_points_keeping_the_spike() -> None:
    """A metric fed by monitoring every 10 s for a week has 60,480 readings: a dot and a point each made the
    review page (and its PDF) megabytes of SVG. The chart draws at most a few points per pixel column (each
    column's first, lowest, highest and last reading), so a one-reading spike still shows, in red."""
    second = timedelta(seconds=1)
    readings = [Reading(T0 + 10 * i * second, Decimal("0.05")) for i in range(60_480)]
    readings[30_000] = Reading(T0 + 300_000 * second, Decimal("7.5"))  # one spike, out of range
    run = metric_run(
        name="Error rate", category="", unit="%", comparator="<", target=Decimal("0.1"), window_text="first week",
        t0=T0, readings=readings,
    )  # fmt: skip
    svg = metric_chart(run, label=lambda d: f"{d:%a %H:%M}", now=T0 + timedelta(days=8))
    assert len(svg) < 60_000, len(svg)
    assert svg.count('fill="#c0262d"') == 1 and "7.5 at" in svg  # the spike, red, with its tooltip
    assert "60,480 readings" in svg


def test_a_busy_metric_off_target_for_days_draws_a_red_stretch_not_a_band_of_dots() -> None:
    """A week of readings every 10 s, off target from the second day to the fourth: the thinned chart drew a red
    dot on every point it kept (hundreds of dots: a red band hiding the line). The stretch is a red line over the
    blue one, saying from when to when; a lone spike elsewhere stays a red dot."""
    second = timedelta(seconds=1)
    day = 8_640  # readings a day
    readings = [
        Reading(T0 + 10 * i * second, Decimal("0.5") if day <= i < 3 * day else Decimal("0.05")) for i in range(7 * day)
    ]
    readings[5 * day] = Reading(readings[5 * day].at, Decimal("7.5"))  # a spike on the sixth day
    run = metric_run(
        name="Error rate", category="", unit="%", comparator="<", target=Decimal("0.1"), window_text="first week",
        t0=T0, readings=readings,
    )  # fmt: skip
    svg = metric_chart(run, label=lambda d: f"{d:%a %H:%M}", now=T0 + timedelta(days=8))
    assert svg.count('stroke="#c0262d"') == 1  # the stretch, one red line
    stretch = svg.split('stroke="#c0262d"', 1)[0].rsplit("<polyline", 1)[1]
    assert stretch.count(",") > 100  # drawn through the points the chart keeps of two days
    # from its first reading to the last the chart keeps of it (within a pixel column of the last: ~20 minutes)
    assert f"Off target from {readings[day].at:%a %H:%M} to {readings[3 * day - 1].at:%a %H}:" in svg
    assert svg.count('fill="#c0262d"') == 1 and "7.5 at" in svg  # the spike, a dot
    assert svg.count("<circle") == 1  # no dot a point: the readings in range are the blue line
