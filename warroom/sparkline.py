"""A metric's recent readings as a small inline SVG line (the metrics page's "Trend" column): is the error rate
climbing? Drawn on the server without style attributes (the Content-Security-Policy forbids inline style);
the dashed line is the target, a red dot a reading off target. Every text in it is escaped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from plans.numbers import format_quantity

if TYPE_CHECKING:
    from plans.models import MetricReading, SuccessMetric

WIDTH, HEIGHT, PAD = 160, 40, 4
LINE, TARGET, OK, BAD = "#2563eb", "#b45309", "#1f2937", "#c0262d"


def _scale(lo: float, hi: float, a: float, b: float) -> Callable[[float], float]:
    if hi == lo:
        return lambda v: (a + b) / 2
    return lambda v: a + (v - lo) * (b - a) / (hi - lo)


def sparkline(metric: SuccessMetric, readings: Sequence[MetricReading], *, label: Callable[[datetime], str]) -> str:
    """The SVG of ``readings`` (newest first, as read); empty text for fewer than two."""
    if len(readings) < 2:
        return ""
    points = list(reversed(readings))
    values = [float(r.value) for r in points]
    target = float(metric.target) if metric.target is not None and metric.comparator else None
    span = values + ([target] if target is not None else [])
    low, high = min(span), max(span)
    pad = (high - low) * 0.1
    x = _scale(points[0].recorded_at.timestamp(), points[-1].recorded_at.timestamp(), PAD, WIDTH - PAD)
    y = _scale(low - pad, high + pad, HEIGHT - PAD, PAD)
    first, last = points[0], points[-1]
    words = (
        f"{metric.name}: {len(points)} readings from {label(first.recorded_at)} to {label(last.recorded_at)}, "
        f"{format_quantity(first.value, metric.unit)} then {format_quantity(last.value, metric.unit)}; "
        f"lowest {format_quantity(min(r.value for r in points), metric.unit)}, "
        f"highest {format_quantity(max(r.value for r in points), metric.unit)}"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(words)}"><title>{escape(words)}</title>'
    ]
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="0" x2="{WIDTH}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{TARGET}" stroke-width="1" '
            'stroke-dasharray="4 3"/>'
        )
    line = " ".join(f"{x(r.recorded_at.timestamp()):.1f},{y(v):.1f}" for r, v in zip(points, values, strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    for r, v in zip(points, values, strict=True):
        off = metric.meets(v) is False
        if off or r is last:
            parts.append(
                f'<circle cx="{x(r.recorded_at.timestamp()):.1f}" cy="{y(v):.1f}" r="{3 if r is last else 2.5}" '
                f'fill="{BAD if off else OK}"/>'
            )
    return "".join(parts) + "</svg>"
