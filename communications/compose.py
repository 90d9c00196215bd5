"""Hourly status updates and the end-of-day report, composed from the live state of the plan.

``status_snapshot`` reads the state in a fixed number of queries; ``compose_report`` turns it into plain
text, for internal audiences. External audiences get customer copy instead (communications/customer.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from launchcontrol.dates import moment_text
from plans.lateness import item_late_q, step_is_late
from plans.metrics import latest_reading
from plans.models import Plan, SuccessMetric
from plans.numbers import format_quantity

from .customer import customer_copy
from .models import Audience

INTERNAL = {Audience.STAFF, Audience.EXECUTIVES}


@dataclass
class Progress:
    name: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass
class MetricLine:
    name: str
    target: str
    value: str | None
    ok: bool | None


@dataclass
class Snapshot:
    plan: Plan
    now: datetime
    phases: list[Progress] = field(default_factory=list)
    roles: list[Progress] = field(default_factory=list)
    overall: Progress | None = None
    gates_passed: int = 0
    gates_total: int = 0
    gate_names_passed: list[str] = field(default_factory=list)
    issues_by_severity: dict[str, int] = field(default_factory=dict)
    metrics: list[MetricLine] = field(default_factory=list)
    late_items: list[str] = field(default_factory=list)
    late_steps: list[str] = field(default_factory=list)


def status_snapshot(plan: Plan, *, now: datetime | None = None) -> Snapshot:
    from checklists.models import Gate, GateStatus, Item, ItemStatus
    from issues.models import SEVERITY_RANK, UNRESOLVED, Issue
    from plans.models import Step, StepStatus

    now = now or timezone.now()
    snap = Snapshot(plan=plan, now=now)
    closed = Q(status__in=[ItemStatus.DONE, ItemStatus.SKIPPED])
    items = Item.objects.filter(plan=plan)

    by_phase = (
        items.values("checklist__phase__name", "checklist__phase__order")
        .annotate(total=Count("id"), done=Count("id", filter=closed))
        .order_by("checklist__phase__order", "checklist__phase__name")
    )
    snap.phases = [Progress(r["checklist__phase__name"] or "No phase", r["done"], r["total"]) for r in by_phase]
    by_role = (
        items.values("owner_role__name", "owner_role__order")
        .annotate(total=Count("id"), done=Count("id", filter=closed))
        .order_by("owner_role__order", "owner_role__name")
    )
    snap.roles = [Progress(r["owner_role__name"] or "Unassigned", r["done"], r["total"]) for r in by_role]
    snap.overall = Progress("All items", sum(p.done for p in snap.phases), sum(p.total for p in snap.phases))

    gates = list(Gate.objects.filter(plan=plan).values_list("name", "status"))
    snap.gates_total = len(gates)
    snap.gate_names_passed = [name for name, status in gates if status == GateStatus.PASSED]
    snap.gates_passed = len(snap.gate_names_passed)

    counts = Issue.objects.filter(plan=plan, status__in=UNRESOLVED).values("severity").annotate(n=Count("id"))
    by_sev = {r["severity"]: r["n"] for r in counts}
    snap.issues_by_severity = {s: by_sev.get(s, 0) for s in sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__)}

    # Each metric's latest reading only (a metric fed every 10 s by monitoring has 60,000 readings a week: all of
    # them were read for each status update, each channel it went to and each preview).
    for metric in SuccessMetric.objects.filter(plan=plan).annotate(latest=latest_reading()):
        latest = metric.latest
        target = (
            f"{metric.comparator} {format_quantity(metric.target, metric.unit)}" if metric.target is not None else ""
        )
        value = format_quantity(latest, metric.unit) if latest is not None else None
        snap.metrics.append(
            MetricLine(metric.name, target, value, metric.meets(float(latest)) if latest is not None else None)
        )

    late = items.filter(item_late_q(plan, now), status=ItemStatus.OPEN).order_by("due_offset")
    snap.late_items = [
        f"{i.title} ({i.owner_role.name if i.owner_role else 'unassigned'})"
        for i in late.select_related("owner_role")[:20]
    ]
    steps = Step.objects.filter(plan=plan).exclude(status__in=[StepStatus.DONE, StepStatus.SKIPPED])
    snap.late_steps = [
        s.name
        for s in steps.order_by("offset")
        if step_is_late(plan=plan, offset=s.offset, duration=s.duration, status=s.status, now=now)
    ][:20]
    return snap


def compose_report(
    plan: Plan, *, audience: str = Audience.STAFF, now: datetime | None = None, eod: bool = False
) -> str:
    internal = audience in INTERNAL or audience == ""
    if not internal:  # an external audience gets customer copy, never the internal report
        return customer_copy(plan, now=now or timezone.now())
    snap = status_snapshot(plan, now=now)
    local_now = plan.local(snap.now)
    title = "End-of-day report" if eod else "Status update"
    lines = [
        f"{title}: {plan.name}, {moment_text(local_now, year=True)}",
        f"Launch state: {plan.get_status_display()}. "
        + ("No T-0 (a checklist without a clock)." if plan.clockless else f"T-0 {moment_text(plan.local(plan.t0))}."),
    ]
    if snap.overall and snap.overall.total:
        lines.append(f"Progress: {snap.overall.done}/{snap.overall.total} items done ({snap.overall.percent}%).")
    if snap.phases:
        lines.append("")
        lines.append("By phase:")
        lines += [f"- {p.name}: {p.done}/{p.total}" for p in snap.phases]
    if snap.roles:
        lines.append("")
        lines.append("By role:")
        lines += [f"- {p.name}: {p.done}/{p.total}" for p in snap.roles]
    lines.append("")
    gates = f"Gates passed: {snap.gates_passed}/{snap.gates_total}"
    if snap.gate_names_passed:
        gates += f" ({', '.join(snap.gate_names_passed)})"
    lines.append(gates + ".")
    issues = ", ".join(f"{n} {sev}" for sev, n in snap.issues_by_severity.items())
    lines.append(f"Open issues: {issues}.")
    if snap.metrics:
        lines.append("")
        lines.append("Metrics:")
        for m in snap.metrics:
            verdict = {True: "OK", False: "OFF TARGET", None: "tracked"}[m.ok]
            value = m.value if m.value is not None else "no reading yet"
            lines.append(f"- {m.name}: {value}" + (f" (target {m.target}, {verdict})" if m.target else ""))
    lines.append("")
    if snap.late_items or snap.late_steps:
        lines.append("Late:")
        lines += [f"- step {s}" for s in snap.late_steps]
        lines += [f"- {i}" for i in snap.late_items]
    else:
        lines.append("Nothing is late.")
    return "\n".join(lines)
