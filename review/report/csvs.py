"""The plan's data as CSV: steps, items, issues, readings, decisions and the operations handoff (what is
handed over, and what it carried over), one file each (a zip of them
from the page, ``review_report --format csv`` writes them to a folder), and the decision record on its
own. A cell people typed that starts with ``=``, ``+``, ``-``, ``@`` is prefixed with ``'`` so that a
spreadsheet does not run it as a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence

from checklists.models import Item
from plans.lateness import item_due
from plans.models import MetricReading

from ..decisions import person
from ..selectors import Review
from . import text

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA) and not _number(s) else s


def _number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def to_csv(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(head)
    writer.writerows([cell(c) for c in row] for row in rows)
    return buf.getvalue()


def steps_csv(r: Review) -> str:
    head = [
        "step",
        "phase",
        "lead_role",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_finish",
        "start_delay_min",
        "overrun_min",
        "finish_delay_min",
        "outcome",
    ]
    return to_csv(
        head,
        [
            [
                s.name,
                s.phase,
                s.role,
                s.status,
                text.iso(s.planned_start),
                text.iso(s.planned_end),
                text.iso(s.actual_start),
                text.iso(s.actual_finish),
                text.minutes(s.start_delay),
                text.minutes(s.overrun),
                text.minutes(s.finish_delay),
                s.outcome,
            ]
            for s in r.steps
        ],
    )


def items_csv(r: Review) -> str:
    items = Item.objects.filter(plan=r.plan).select_related("checklist", "owner_role", "gate", "done_by")
    head = ["checklist", "item", "owner_role", "gate", "required", "status", "due", "done_at", "done_by"]
    return to_csv(
        head,
        [
            [
                i.checklist.name,
                i.title,
                i.owner_role.name if i.owner_role else "",
                i.gate.name if i.gate else "",
                "yes" if i.required else "no",
                i.status,
                text.iso(item_due(r.plan, i.due_offset, i.due_by)),
                text.iso(i.done_at),
                person(i.done_by) if i.done_by else "",
            ]
            for i in items
        ],
    )


def issues_csv(r: Review) -> str:
    head = [
        "number",
        "title",
        "severity",
        "status",
        "reported_at",
        "acknowledged_at",
        "resolved_at",
        "respond_by",
        "resolve_by",
        "response_min",
        "resolution_min",
        "response_breached",
        "resolution_breached",
    ]
    return to_csv(
        head,
        [
            [
                i.number,
                i.title,
                i.severity,
                i.status,
                text.iso(i.reported_at),
                text.iso(i.acknowledged_at),
                text.iso(i.resolved_at),
                text.iso(i.respond_by),
                text.iso(i.resolve_by),
                text.minutes(i.response_time),
                text.minutes(i.resolution_time),
                "yes" if i.response_breached else "no",
                "yes" if i.resolution_breached else "no",
            ]
            for i in r.issues
        ],
    )


def readings_csv(r: Review) -> str:
    rows = MetricReading.objects.filter(metric__plan=r.plan).select_related("metric", "recorded_by")
    head = ["metric", "unit", "recorded_at", "value", "meets_target", "recorded_by"]
    return to_csv(
        head,
        [
            [
                m.metric.name,
                m.metric.unit,
                text.iso(m.recorded_at),
                m.value,
                {True: "yes", False: "no", None: ""}[m.metric.meets(float(m.value))],
                person(m.recorded_by) if m.recorded_by else "",
            ]
            for m in rows.order_by("metric__order", "metric_id", "recorded_at", "pk")
        ],
    )


def decisions_csv(r: Review) -> str:
    """The decision record: every GO/NO-GO (and each vote of its poll), hold, trigger and state change."""
    rows: list[list[object]] = [[text.iso(d.at), d.kind, d.who, d.role, d.what, d.why] for d in r.record]
    for g in r.decisions:
        rows += [
            [
                text.iso(v.at),
                "gate.voted",
                v.who,
                v.role,
                f"{v.role} votes {v.vote} on {g.gate} (round {g.round})",
                v.comment,
            ]
            for v in g.votes
        ]
    rows.sort(key=lambda row: str(row[0]))
    return to_csv(["at", "kind", "who", "role", "what", "why"], rows)


HANDOFF_KINDS = (("system", "systems"), ("runbook", "runbooks"), ("contact", "contacts"))


def handoff_csv(r: Review) -> str:
    """One row per handed-over system, runbook or contact, each with the handoff's state and its who/when
    (the same on every row, so a filtered sheet still says them). No handoff: the header alone."""
    h = r.handoff
    head = [
        "kind",
        "item",
        "to_role",
        "status",
        "proposed_by",
        "proposed_at",
        "accepted_by",
        "accepted_at",
        "reverted_by",
        "reverted_at",
        "reopen_reason",
    ]
    if h is None:
        return to_csv(head, [])
    common = [
        h.to_role.name if h.to_role else "",
        h.status,
        person(h.proposed_by) if h.proposed_at else "",
        text.iso(h.proposed_at),
        person(h.accepted_by) if h.accepted_at else "",
        text.iso(h.accepted_at),
        person(h.reverted_by) if h.reverted_at else "",
        text.iso(h.reverted_at),
        h.revert_reason,
    ]
    rows = [[kind, entry, *common] for kind, attr in HANDOFF_KINDS for entry in getattr(h, attr)]
    return to_csv(head, rows)


def handoff_carried_csv(r: Review) -> str:
    """The open items and unresolved issues carried over when the handoff was accepted (kept as of then)."""
    h = r.handoff
    carried = h.carried if h is not None and h.accepted_at is not None else []
    at = text.iso(h.accepted_at) if h is not None else ""
    head = ["kind", "title", "owner_role", "due", "carried_over_at"]
    return to_csv(
        head, [[c.get("kind", ""), c.get("title", ""), c.get("owner", ""), c.get("due", ""), at] for c in carried]
    )


def data_files(r: Review) -> dict[str, str]:
    return {
        "steps.csv": steps_csv(r),
        "items.csv": items_csv(r),
        "issues.csv": issues_csv(r),
        "readings.csv": readings_csv(r),
        "decisions.csv": decisions_csv(r),
        "handoff.csv": handoff_csv(r),
        "handoff-carried.csv": handoff_carried_csv(r),
    }


def data_zip(r: Review) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data_files(r).items():
            z.writestr(f"{r.plan.slug}/{name}", body)
    return buf.getvalue()
