"""Comparing launches: each plan's key figures side by side and a chart of each figure over the launches
(oldest T-0 first), so a team sees whether its launches get better. The figures are the review's
(review.selectors.plan_review), one review per plan: the page and the command compare at most
``COMPARE_MAX`` launches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from django.utils import timezone

from launchcontrol.dates import day_text
from plans.models import Plan

from .report.text import held
from .selectors import Review, plan_review

COMPARE_MAX = 12


@dataclass(frozen=True)
class LaunchFigures:
    plan: Plan
    outcome: str
    on_time: float | None  # share of finished steps on time, 0..1
    overrun_min: int
    hold_min: int
    sla_breaches: int
    first_critical_min: int | None  # minutes from T-0 to the first critical issue; None: none raised
    criteria_met: int
    criteria: int
    readiness: int | None = None  # the weakest audience's per cent trained at the last GO (None: not recorded)
    readiness_label: str = "—"
    hold_text: str = "0"  # to the second, as the review says it ("45s"); the chart's bar is labelled with it
    hold_seconds: int = 0


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def launch_figures(review: Review) -> LaunchFigures:
    first = review.time_to_first_critical
    at_gate = review.readiness_at_gate
    return LaunchFigures(
        plan=review.plan,
        outcome=review.plan.get_status_display(),
        on_time=review.totals.on_time_share,
        overrun_min=_minutes(review.totals.overrun),
        hold_min=_minutes(review.hold_time),
        sla_breaches=review.issue_totals.response_breaches + review.issue_totals.resolution_breaches,
        first_critical_min=None if first is None else _minutes(first),
        criteria_met=review.criteria_met,
        criteria=len(review.criteria),
        readiness=None if at_gate is None else at_gate[1].percent,
        readiness_label="—" if at_gate is None else f"{at_gate[1].audience} {at_gate[1].label}",
        hold_text=held(review.hold_time),
        hold_seconds=int(review.hold_time.total_seconds()),
    )


def compared_plans(slugs: Sequence[str] = (), *, now: datetime | None = None) -> list[Plan]:
    """The named plans, or else the latest launches whose T-0 has passed; oldest T-0 first."""
    now = now or timezone.now()
    query = Plan.objects.filter(clockless=False)
    query = query.filter(slug__in=list(slugs)) if slugs else query.filter(t0__lte=now)
    latest = list(query.order_by("-t0", "pk")[:COMPARE_MAX])
    return sorted(latest, key=lambda p: (p.t0, p.pk))


def compare(plans: Sequence[Plan], *, now: datetime) -> list[LaunchFigures]:
    return [launch_figures(plan_review(plan, now=now, charts=False)) for plan in plans]  # verdicts, no charts


Read = Callable[[LaunchFigures], float | None]
#: How a bar is labelled, when not by its value (the hold time, to the second as the review says it).
Label = Callable[[LaunchFigures], str] | None

#: The figures charted over time: (title, how to read it off, which way is better, how a bar is labelled).
SERIES: list[tuple[str, Read, str, Label]] = [
    ("Steps on time (%)", lambda f: None if f.on_time is None else round(100 * f.on_time), "higher", None),
    ("Overrun (minutes)", lambda f: f.overrun_min, "lower", None),
    ("Hold time", lambda f: f.hold_seconds, "lower", lambda f: f.hold_text),
    ("SLA breaches", lambda f: f.sla_breaches, "lower", None),
    ("Minutes to the first critical issue", lambda f: f.first_critical_min, "higher", None),
    ("Success criteria met", lambda f: f.criteria_met, "higher", None),
    ("Readiness at the gate (weakest audience, %)", lambda f: f.readiness, "higher", None),
]

W, H, PAD, BASE = 420, 190, 14, 150


def series_chart(title: str, figures: Sequence[LaunchFigures], read: Read, bar_text: Label = None) -> str:
    """One figure over the launches as bars, oldest first, each labelled with its value (or ``bar_text``'s); a
    launch without the figure shows "—"."""
    values = [read(f) for f in figures]
    top = max([abs(v) for v in values if v is not None] + [1])
    slot = (W - 2 * PAD) / max(len(figures), 1)
    label = escape(title)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{label} by launch"><title>{label} by launch</title>',
        f'<line x1="{PAD}" x2="{W - PAD}" y1="{BASE}" y2="{BASE}" stroke="#6b7280"/>',
    ]
    for i, (fig, value) in enumerate(zip(figures, values, strict=True)):
        x = PAD + i * slot + slot * 0.15
        width = slot * 0.7
        name = escape(day_text(fig.plan.t0, weekday=False, year=True))
        if value is None:
            out.append(
                f'<text x="{x + width / 2:.1f}" y="{BASE - 6}" text-anchor="middle" font-size="16" '
                f'fill="#6b7280">—</text>'
            )
        else:
            height = (BASE - 30) * abs(value) / top
            said = escape(bar_text(fig) if bar_text else f"{value:g}")
            out.append(
                f'<rect x="{x:.1f}" y="{BASE - height:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'fill="#2563eb"><title>{escape(fig.plan.name)}: {said}</title></rect>'
            )
            out.append(
                f'<text x="{x + width / 2:.1f}" y="{BASE - height - 6:.1f}" text-anchor="middle" '
                f'font-size="15" fill="#111827">{said}</text>'
            )
        out.append(
            f'<text x="{x + width / 2:.1f}" y="{BASE + 20}" text-anchor="middle" font-size="13" '
            f'fill="#374151">{name}</text>'
        )
    return "".join(out) + "</svg>"


def figures_table(figures: Sequence[LaunchFigures]) -> list[list[str]]:
    """The comparison as rows of text (the command prints it), a header first."""
    rows = [
        [
            "Launch",
            "T-0",
            "Outcome",
            "On time",
            "Overrun",
            "Hold",
            "SLA breaches",
            "First critical",
            "Criteria met",
            "Readiness at gate",
        ]
    ]
    for f in figures:
        rows.append(
            [
                f.plan.slug,
                f"{f.plan.local(f.plan.t0):%Y-%m-%d %H:%M}",
                f.outcome,
                "—" if f.on_time is None else f"{round(100 * f.on_time)} %",
                f"{f.overrun_min} min",
                f.hold_text,
                str(f.sla_breaches),
                "none" if f.first_critical_min is None else f"T+{f.first_critical_min} min",
                f"{f.criteria_met} of {f.criteria}",
                f.readiness_label,
            ]
        )
    return rows
