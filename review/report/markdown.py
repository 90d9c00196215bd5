"""The review as Markdown (``/plans/<plan>/review.md``, ``review_report --format md``). Text people
typed is escaped for Markdown: a ``|`` in a title does not break a table, ``*``, ``_``, ``[``, ``<`` and
backticks make no emphasis, link, HTML or code; every value sits after a fixed prefix, so ``#`` or ``-``
cannot start a heading or a list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from launchcontrol.dates import day_text

from ..selectors import Review
from . import text
from .context import key_figures

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(value: object) -> str:
    """Plain text made inert in Markdown: special characters escaped, line breaks as spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _steps(r: Review) -> list[str]:
    w = r.plan
    out = ["## Steps: planned against actual", ""]
    out += _table(
        ["Step", "Phase", "Planned start", "Actual start", "Start delay", "Overrun", "Finish delay", "Outcome"],
        [
            [
                s.name,
                s.phase or "—",
                text.when(w, s.planned_start),
                text.when(w, s.actual_start),
                text.signed(s.start_delay),
                text.signed(s.overrun),
                text.signed(s.finish_delay),
                text.OUTCOME[s.outcome],
            ]
            for s in r.steps
        ],
    )
    if r.phases:
        out += ["### Phases", ""]
        out += _table(
            ["Phase", "Steps", "Planned end", "Actual end", "Finish delay", "Late steps"],
            [
                [
                    p.name,
                    p.steps,
                    text.when(w, p.planned_end),
                    text.when(w, p.actual_finish),
                    text.signed(p.finish_delay),
                    p.late_steps,
                ]
                for p in r.phases
            ],
        )
    out += ["### Critical path as run", ""]
    out += [
        f"{n}. {md(s.name)} (finished {text.when(w, s.actual_finish)}, {text.signed(s.finish_delay)})"
        for n, s in enumerate(r.path, 1)
    ] or ["No step has finished."]
    return out + [""]


def _holds_and_gates(r: Review) -> list[str]:
    w = r.plan
    out = ["## Holds", ""]
    out += (
        _table(
            ["Started", "Ended", "Length", "Reason", "By"],
            [
                [text.when(w, h.started_at), text.when(w, h.ended_at), text.held(h.length), h.reason, h.started_by]
                for h in r.holds
            ],
        )
        if r.holds
        else ["No holds.", ""]
    )
    out += ["## Gate decisions", ""]
    for d in r.decisions:
        reason = f": {md(d.reason)}" if d.reason else ""
        out.append(f"- **{md(d.gate)}: {d.label}** {text.when(w, d.at)} by {md(d.who)} (round {d.round}){reason}")
        out += [f"  - {md(v.role)}: {v.vote} ({md(v.who)}){': ' + md(v.comment) if v.comment else ''}" for v in d.votes]
    out += ["No gate was decided."] if not r.decisions else []
    out += ["", "## Readiness at the gate", ""]
    for d in r.decisions:
        if d.readiness:
            out.append(f"- **{md(d.gate)}: {d.label}** {text.when(w, d.at)}")
            out += [
                f"  - {md(x.audience)}: {x.label}"
                + ("" if x.bar is None else f", bar {x.bar} %: {'met' if x.met else 'below'}")
                for x in d.readiness
            ]
    return out + (["No gate was passed with training figures."] if r.readiness_at_gate is None else []) + [""]


def _issues_metrics(r: Review) -> list[str]:
    w = r.plan
    out = ["## Issues", ""]
    out += (
        _table(
            ["#", "Issue", "Severity", "Reported", "Response", "Resolution", "SLA"],
            [
                [
                    i.number,
                    i.title,
                    i.severity,
                    text.when(w, i.reported_at),
                    text.span(i.response_time),
                    text.span(i.resolution_time),
                    ", ".join(
                        x
                        for x, b in (
                            ("response breached", i.response_breached),
                            ("resolution breached", i.resolution_breached),
                        )
                        if b
                    )
                    or "met",
                ]
                for i in r.issues
            ],
        )
        if r.issues
        else ["No issues were raised.", ""]
    )
    out += ["## Metrics and success criteria", ""]
    out += _table(
        ["Metric", "Target", "Window", "Readings", "Out of range", "Latest", "Verdict"],
        [
            [
                m.name,
                f"{m.comparator} {text.quantity(m.target, m.unit)}" if m.criterion else "—",
                m.window_text or "from T-0",
                m.count,
                m.off,
                text.quantity(m.latest.value, m.unit) if m.latest else "—",
                text.VERDICT[m.verdict],
            ]
            for m in r.metrics
        ],
    )
    if r.withdrawn:
        out += ["Readings withdrawn (not counted above):", ""]
        out += [f"- {text.when(r.plan, a.at)} {md(a.what)} ({md(a.who)})" for a in r.withdrawn] + [""]
    return out


def review_markdown(r: Review) -> str:
    w = r.plan
    out = [
        f"# Launch review: {md(w.name)}",
        "",
        f"T-0 {text.when(w, w.t0)} ({w.timezone}); as of {text.when(w, r.now)}.",
        "",
    ]
    out += ["## Key figures", ""] + [f"- **{md(k)}**: {md(v)}" for k, v in key_figures(r)] + [""]
    out += _steps(r) + _holds_and_gates(r) + _issues_metrics(r)
    out += ["## Alarms and rollbacks", ""]
    out += [f"- {text.when(w, a.at)} {md(a.what)} ({md(a.who)})" for a in r.alarms] or ["None."]
    c = r.comms
    out += [
        "",
        "## Communications",
        "",
        f"{c.total} deliveries: {c.sent} sent ({c.sent_late} late), {c.late} too late to send, {c.failed} failed.",
        "",
    ]
    out += ["## Lessons learned", ""]
    out += [f"- ({lesson.get_kind_display()}) {md(lesson.text)}" for lesson in r.lessons] or ["None recorded."]
    out += ["", "## Follow-up actions", ""]
    out += [
        f"- [{'x' if f.item and f.item.status == 'done' else ' '}] {md(f.title)}: "
        f"{md(f.owner_role.name if f.owner_role else '—')}, due {day_text(f.due_date, weekday=False, year=True)}"
        for f in r.follow_ups
    ]
    out += [] if r.follow_ups else ["None."]
    return "\n".join(out + _handoff(r)) + "\n"


def _handoff(r: Review) -> list[str]:
    from .context import handoff_line

    out = ["", "## Operations handoff", "", md(handoff_line(r))]
    h = r.handoff
    if h is None:
        return out
    out += [""]
    out += [
        f"- **{k}**: {md(', '.join(v)) or '—'}"
        for k, v in (("Systems", h.systems), ("Runbooks", h.runbooks), ("Contacts", h.contacts))
    ]
    if h.status in ("accepted", "reverted"):
        out += ["", "Carried over:" if h.status == "accepted" else "Carried over (at the reverted acceptance):", ""]
        out += [f"- {md(c.get('kind', ''))}: {md(c.get('title', ''))}" for c in h.carried] or ["- nothing was open"]
    return out
