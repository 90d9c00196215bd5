"""A metric's chart as inline SVG, drawn on the server (no JavaScript, no style attributes: the page's
Content-Security-Policy forbids inline style, and WeasyPrint draws the same SVG into the PDF).

The line joins the readings in time order; the dashed line is the target; the shaded band is the
metric's window; a reading out of range is a red dot, one in range a dark one (a busy metric's chart, thinned,
draws its stretches out of range as red lines over the blue one, and a lone reading out of range as a red dot).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from html import escape

from plans.criteria import CHART_COLUMNS, chart_axis, chart_column, chart_scale
from plans.numbers import format_number

from .figures.metrics import MetricRun, Reading

WIDTH, HEIGHT = 600, 240
LEFT, TOP, BOTTOM = 64, 18, 36
RIGHT = WIDTH - LEFT - CHART_COLUMNS  # 14: a pixel column of the plot for each of the core's chart columns
FONT = 15  # at the page's two charts a row (~560 px wide) this reads as ~14 px
OK, BAD, LINE, TARGET, BAND, AXIS = "#1f2937", "#c0262d", "#2563eb", "#b45309", "#e0ecff", "#6b7280"


def _scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    if hi == lo:
        return lambda v: (a + b) / 2
    return lambda v: a + (v - lo) * (b - a) / (hi - lo)


def _thinned(run: MetricRun, lo: float, hi: float) -> list[Reading]:
    """What is drawn of the run's points (oldest first): all of them while the metric has at most two readings a
    pixel column; beyond that, each column's first, lowest, highest and last reading, in time order (the
    database sends a busy metric's points so: plans.metric_runs). A week of readings every 10 s (60,480) drew a
    dot and a point each (6 MB of SVG in the page and the PDF); now a few hundred, and a single spike still
    shows."""
    if run.every <= 2 * CHART_COLUMNS:
        return list(run.points)
    columns: dict[int, list[Reading]] = {}
    for r in run.points:
        columns.setdefault(chart_column(r.at.timestamp(), lo, hi), []).append(r)
    kept: list[Reading] = []
    for column in sorted(columns):
        group = columns[column]
        picks = {0, len(group) - 1}
        picks.add(min(range(len(group)), key=lambda i: group[i].value))
        picks.add(max(range(len(group)), key=lambda i: group[i].value))
        kept += [group[i] for i in sorted(picks)]
    return kept


def metric_chart(run: MetricRun, *, label: Callable[[datetime], str], now: datetime) -> str:
    """The SVG text of one metric's chart (every value in it is escaped: it is safe to mark safe)."""
    count = run.every
    title = escape(f"{run.name}: {count:,} reading{'' if count == 1 else 's'} against the target")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}"><title>{title}</title>'
    )
    points = run.points
    if not points:
        text = (
            f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" font-size="{FONT}" fill="{AXIS}">'
            "No readings</text>"
        )
        return head + text + "</svg>"
    values = [float(r.value) for r in points] + ([float(run.target)] if run.target is not None else [])
    low, high = min(values), max(values)
    pad = (high - low) * 0.12 or abs(high) * 0.1 or 1.0
    lo, hi = low - pad, high + pad
    start, end = chart_axis(
        points[0].at, points[-1].at, window_start=run.window_start, window_end=run.window_end, now=now
    )
    first, last = chart_scale(start, end)
    x = _scale(first, last, LEFT, WIDTH - RIGHT)
    y = _scale(lo, hi, HEIGHT - BOTTOM, TOP)
    parts = [head, _band(run, x, start, end), _axes((low, high), y, start, end, label)]
    if run.target is not None:
        ty = y(float(run.target))
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT - 2}" y="{ty - 4:.1f}" text-anchor="end" font-size="{FONT}" fill="{TARGET}">'
            f"target {escape(run.comparator)} {escape(format_number(run.target))}</text>"
        )
    drawn = _thinned(run, first, last)
    line = " ".join(f"{x(r.at.timestamp()):.1f},{y(float(r.value)):.1f}" for r in drawn)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    if len(drawn) < run.every:  # thinned: a dot a point would blot the line out (a band of red dots)
        parts += _off_stretches(run, drawn, x, y, label)
        return "".join(parts) + "</svg>"
    for r in drawn:
        colour = BAD if run.meets(r.value) is False else OK
        parts.append(_dot(r, x, y, colour, label))
    return "".join(parts) + "</svg>"


def _dot(
    r: Reading, x: Callable[[float], float], y: Callable[[float], float], colour: str, label: Callable[[datetime], str]
) -> str:
    tip = escape(f"{format_number(r.value)} at {label(r.at)}")
    return (
        f'<circle cx="{x(r.at.timestamp()):.1f}" cy="{y(float(r.value)):.1f}" r="3.5" fill="{colour}">'
        f"<title>{tip}</title></circle>"
    )


def _off_stretches(
    run: MetricRun,
    drawn: list[Reading],
    x: Callable[[float], float],
    y: Callable[[float], float],
    label: Callable[[datetime], str],
) -> list[str]:
    """A thinned chart's readings off target: each stretch of them drawn over the line in red, a lone one (a
    spike) as a red dot, so that a week off target reads as a red line, not as hundreds of dots."""
    stretches: list[list[Reading]] = []
    previous_off = False
    for r in drawn:
        off = run.meets(r.value) is False
        if off and previous_off:
            stretches[-1].append(r)
        elif off:
            stretches.append([r])
        previous_off = off
    parts = []
    for stretch in stretches:
        if len(stretch) == 1:
            parts.append(_dot(stretch[0], x, y, BAD, label))
            continue
        points = " ".join(f"{x(r.at.timestamp()):.1f},{y(float(r.value)):.1f}" for r in stretch)
        tip = escape(f"Off target from {label(stretch[0].at)} to {label(stretch[-1].at)}")
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{BAD}" stroke-width="3"><title>{tip}</title></polyline>'
        )
    return parts


def _band(run: MetricRun, x: Callable[[float], float], start: datetime, end: datetime) -> str:
    lo = max(run.window_start, start)
    hi = min(run.window_end, end) if run.window_end is not None else end
    if hi <= lo:
        return ""
    x0, x1 = x(lo.timestamp()), x(hi.timestamp())
    return f'<rect x="{x0:.1f}" y="{TOP}" width="{x1 - x0:.1f}" height="{HEIGHT - TOP - BOTTOM}" fill="{BAND}"/>'


def _axes(
    marks: tuple[float, float],
    y: Callable[[float], float],
    start: datetime,
    end: datetime,
    label: Callable[[datetime], str],
) -> str:
    """The axes, the lowest and highest value shown (readings and target) and the first and last time."""
    base = HEIGHT - BOTTOM
    out = [
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}" stroke="{AXIS}"/>',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{AXIS}"/>',
    ]
    for value in sorted(set(marks)):
        text = escape(format_number(Decimal(str(round(value, 4)))))
        out.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 5:.1f}" text-anchor="end" font-size="{FONT}" fill="{AXIS}">'
            f"{text}</text>"
        )
    out.append(f'<text x="{LEFT}" y="{HEIGHT - 10}" font-size="{FONT}" fill="{AXIS}">{escape(label(start))}</text>')
    out.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end" font-size="{FONT}" fill="{AXIS}">'
        f"{escape(label(end))}</text>"
    )
    return "".join(out)
