"""The review's page and PDF context: the review, each metric's chart, the key figures in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from ..charts import metric_chart
from ..decisions import person
from ..figures.metrics import MetricRun
from ..selectors import Review
from . import text


@dataclass(frozen=True)
class Chart:
    run: MetricRun
    svg: SafeString


def charts(review: Review) -> list[Chart]:
    plan = review.plan

    def label(moment: Any) -> str:
        return text.when(plan, moment)

    # metric_chart escapes every value it writes (names, numbers, times): safe to mark safe.
    return [Chart(run, mark_safe(metric_chart(run, label=label, now=review.now))) for run in review.metrics]  # noqa: S308


def handoff_line(review: Review) -> str:
    """The handoff in words: accepted (the launch closed), reverted (reopened), proposed, planned or none."""
    h, plan = review.handoff, review.plan
    if h is None or h.to_role is None:
        return "none planned"
    to = h.to_role.name
    reopened = ""
    if h.reverted_at is not None:
        who = person(h.reverted_by)
        reopened = f"reopened by {who} {text.when(plan, h.reverted_at)}: {h.revert_reason}"
    if h.status == "reverted":
        accepted = f", accepted {text.when(plan, h.accepted_at)}" if h.accepted_at is not None else ""
        return f"to {to}{accepted}, reverted: launch {reopened}"
    earlier = f" (an earlier handoff was reverted, launch {reopened})" if reopened else ""
    if h.status == "accepted" and h.accepted_at is not None:
        who = person(h.accepted_by)
        return f"to {to}, accepted by {to} ({who}) {text.when(plan, h.accepted_at)}; launch closed{earlier}"
    if h.status == "proposed" and h.proposed_at is not None:
        return f"proposed to {to} {text.when(plan, h.proposed_at)}, not accepted yet{earlier}"
    return f"planned to {to}, not proposed yet{earlier}"


def key_figures(review: Review) -> list[tuple[str, str]]:
    """The figures a sponsor reads first, in words (the summary on every shape of the review)."""
    t, i, c = review.totals, review.issue_totals, review.comms
    finished = t.on_time + t.late
    return [
        ("Outcome", review.plan.get_status_display()),
        ("Steps on time", f"{t.on_time} of {finished} finished ({text.share(t.on_time, finished)})"),
        ("Steps late / not finished / skipped", f"{t.late} / {t.unfinished} / {t.skipped}"),
        ("Overrun (sum of steps over their planned length)", text.span(t.overrun)),
        ("Holds", f"{len(review.holds)}, {text.held(review.hold_time)} in all"),
        ("Gate decisions", ", ".join(f"{d.gate}: {d.label}" for d in review.decisions) or "none"),
        ("Issues raised (critical)", f"{i.raised} ({i.critical})"),
        ("SLA breaches (response / resolution)", f"{i.response_breaches} / {i.resolution_breaches}"),
        (
            "Time to first critical issue",
            text.signed(review.time_to_first_critical) + " from T-0"
            if review.time_to_first_critical is not None
            else "none raised",
        ),
        ("Readiness at the gate (weakest audience)", text.readiness(review)),
        (
            "Success criteria met",
            f"{review.criteria_met} of {len(review.criteria)}"
            + (f" ({review.criteria_open} still open)" if review.criteria_open else ""),
        ),
        ("Operations handoff", handoff_line(review)),
        ("Alarms and rollbacks", str(len(review.alarms))),
        ("Communications sent / sent late / too late / failed", f"{c.sent} / {c.sent_late} / {c.late} / {c.failed}"),
    ]


def review_context(review: Review) -> dict[str, Any]:
    return {"review": review, "plan": review.plan, "charts": charts(review), "figures": key_figures(review)}
