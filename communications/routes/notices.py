"""What the routes are told: a plan's *notices* in ``(start, end]``, worked out from its state and its
activity log (``plans.Event``), so that every beat finds the same notices with the same keys.

- ``issue``: a new issue (a page trigger), its acknowledgement and its resolution (acknowledge, resolve);
- ``escalation``: each time-based rung an unacknowledged issue reaches, to the person on call for the rung's
  roles (roles.rota), else their primary and backup;
- ``sla``: an issue not acknowledged by its response SLA;
- ``alarm``: a rollback trigger's alarm (communications.sources.alarms) and, later, its clear;
- ``no_go``, ``hold`` (a hold and its end), ``state`` (the launch's state changes);
- ``reminder``: the built-in reminders (items, steps, occurrences), one notice per reminder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ..sources.registry import person, when

if TYPE_CHECKING:
    from issues.models import Issue
    from plans.models import Plan

#: Alarms and NO-GOs are told with this severity; holds high, state changes medium, reminders low.
KIND_SEVERITY = {"alarm": "critical", "no_go": "high", "hold": "high", "state": "medium", "reminder": "low"}
PD_SEVERITY = {"critical": "critical", "high": "error", "medium": "warning", "low": "info"}


@dataclass
class Notice:
    """One thing to tell. ``(source_kind, source_id, variant, at)`` is its identity in the outbox."""

    kind: str
    source_kind: str
    source_id: int
    variant: str
    at: datetime
    title: str
    text: str
    link: str
    severity: str
    role_ids: set[int] = field(default_factory=set)  # empty: the whole plan's
    people: list[tuple[Any, str]] = field(default_factory=list)  # (user, "Role, on call")
    page: str = ""  # PagerDuty event_action: trigger, acknowledge, resolve ("" : not for paging)
    dedup: str = ""
    component: str = ""
    expires: datetime | None = None
    details: dict[str, str] = field(default_factory=dict)
    anchor: datetime | None = None  # a reminder's plan moment (a hold defers it); others go out during holds
    also: set[str] = field(default_factory=set)  # other kinds it stands for (an opening that is also rung 1)
    since: datetime | None = None  # a clear: the trigger's previous clear (its alarm fired after it)

    @property
    def kinds(self) -> set[str]:
        return {self.kind} | self.also


def issue_dedup(plan: Plan, issue: Issue) -> str:
    return f"launchcontrol/{plan.slug}/issue/{issue.number}"


def _issue_notice(plan: Plan, issue: Issue, **kw: Any) -> Notice:
    details = {"issue": f"#{issue.number}", "severity": issue.severity, "status": issue.status}
    if issue.owner_role is not None:
        details["owner role"] = issue.owner_role.name
    kw.setdefault("details", {}).update(details)
    kw.setdefault("role_ids", {issue.owner_role_id} if issue.owner_role_id else set())
    return Notice(
        source_kind="route.issue",
        source_id=issue.pk,
        link=f"{settings.SITE_URL}/plans/{plan.slug}/issues/{issue.number}/",
        severity=issue.severity,
        dedup=issue_dedup(plan, issue),
        component=issue.owner_role.name if issue.owner_role is not None else "",
        **kw,
    )


def _holders(role: Any, tag: str = "") -> list[tuple[Any, str]]:
    from roles.rota.oncall import page_people

    return [(u, f"{role.name}, {tag or which}") for u, which in page_people(role, None)]


def issue_notices(plan: Plan, start: datetime, end: datetime, events: list[Any]) -> Iterator[Notice]:
    """Opened, acknowledged and resolved issues (from the log), and SLA breaches (from the issues)."""
    from issues.models import Issue

    wanted = {"issue.opened": ("trigger", "opened"), "issue.acknowledged": ("acknowledge", "ack")}
    wanted["issue.resolved"] = ("resolve", "resolved")
    ids = {e.data.get("issue") for e in events if e.kind in wanted}
    breached = list(
        Issue.objects.filter(plan=plan, respond_by__gt=start, respond_by__lte=end).select_related(
            "owner_role__primary", "owner_role__backup"
        )
    )
    issues = {
        i.pk: i for i in Issue.objects.filter(pk__in=ids).select_related("owner_role__primary", "owner_role__backup")
    }
    issues.update({i.pk: i for i in breached})
    for e in events:
        issue = issues.get(e.data.get("issue")) if e.kind in wanted else None
        if issue is None:
            continue
        page, variant = wanted[e.kind]
        people = _holders(issue.owner_role) if issue.owner_role is not None and page == "trigger" else []
        who = person(e.actor) if e.actor is not None else "the API"
        verb = {"trigger": "opened", "acknowledge": f"acknowledged by {who}", "resolve": f"resolved by {who}"}[page]
        text = issue.description if page == "trigger" else (issue.resolution if page == "resolve" else "")
        yield _issue_notice(
            plan, issue, kind="issue", variant=variant, at=e.at, page=page, people=people,
            title=f"{issue.get_severity_display()} issue #{issue.number} {verb}: {issue.title}", text=text,
        )  # fmt: skip
    for issue in breached:
        assert issue.respond_by is not None
        if issue.acknowledged_at is not None and issue.acknowledged_at <= issue.respond_by:
            continue
        people = _holders(issue.owner_role) if issue.owner_role is not None else []
        yield _issue_notice(
            plan, issue, kind="sla", variant="sla", at=issue.respond_by, people=people,
            title=f"SLA breached: {issue.get_severity_display().lower()} issue #{issue.number} {issue.title} is not "
            f"acknowledged (due {when(plan, issue.respond_by)})", text=issue.description,
        )  # fmt: skip


def escalation_notices(plan: Plan, start: datetime, end: datetime) -> Iterator[Notice]:
    """Each rung an unanswered issue reaches, with whom it reaches (the person on call where there is a rota)."""
    from issues.models import Issue, IssueStatus
    from issues.selectors import escalation_levels, rungs_reached, unanswered_in
    from roles.rota.oncall import on_call_at, page_people, plan_shifts

    rungs = escalation_levels(plan, with_people=True)
    roles_by_level = {lvl.pk: list(lvl.roles.all()) for lvl in rungs}
    levels = [lvl for lvl in rungs if roles_by_level[lvl.pk]]
    if not levels:
        return
    longest = max(lvl.after for lvl in levels)
    issues = list(
        Issue.objects.filter(unanswered_in(start - longest, end), plan=plan, status=IssueStatus.OPEN)
        .select_related("owner_role__primary", "owner_role__backup")
        .order_by("reported_at")
    )
    shifts = plan_shifts(plan) if issues else []
    for issue in issues:
        for lvl, due in rungs_reached(issue, levels, after=start, until=end):
            roles = list(roles_by_level[lvl.pk])
            if lvl == levels[0] and issue.owner_role is not None and issue.owner_role not in roles:
                roles.append(issue.owner_role)
            on_call = on_call_at(shifts, due)
            people: list[tuple[Any, str]] = []
            for role in roles:
                people += [(u, f"{role.name}, {which}") for u, which in page_people(role, on_call.get(role.pk))]
            names = ", ".join(f"{person(u)} ({tag})" for u, tag in people) or "nobody assigned"
            yield _issue_notice(
                plan, issue, kind="escalation", variant=f"L{lvl.level}", at=due, page="trigger", people=people,
                title=f"{issue.get_severity_display()} issue #{issue.number} unanswered: escalated to "
                f"L{lvl.level} {lvl.name}: {issue.title}",
                text=f"Reported {when(plan, issue.reported_at)}"
                + (f", reopened {when(plan, issue.reopened_at)}" if issue.reopened_at else "")
                + f", not acknowledged. Now for: {names}.",
                details={"escalation": f"L{lvl.level} {lvl.name}", "on call": names},
                role_ids={r.pk for r in roles},  # the rung's roles decide which routes hear it
            )  # fmt: skip


def alarm_notices(plan: Plan, start: datetime, end: datetime, events: list[Any]) -> Iterator[Notice]:
    """A rollback trigger's alarm when it fires, and its clear (from the log) afterwards; a clear goes only
    where its alarm went (``source.route_notices``)."""
    from plans.models import Event, RollbackTrigger

    from ..sources.alarms import _recipients, firings

    board = f"{settings.SITE_URL}/plans/{plan.slug}/warroom/"
    people = [(u, f"{role.name if role else 'the plan'}, {which}") for u, role, which in _recipients(plan)]
    for trigger, at, what in firings(plan, start, end):
        yield Notice(
            kind="alarm", source_kind="route.alarm", source_id=trigger.pk, variant="fire", at=at, link=board,
            title=f"ROLLBACK ALARM: {trigger.description}", text=f"In breach since {when(plan, at)}: {what}. "
            "Decide on the rollback now.", severity="critical", people=people, page="trigger",
            dedup=f"launchcontrol/{plan.slug}/trigger/{trigger.pk}", expires=at + timedelta(hours=1),
            component=trigger.metric.name if trigger.metric else "", details={"trigger": trigger.description},
        )  # fmt: skip
    cleared = [e for e in events if e.kind == "rollback.cleared"]
    triggers = RollbackTrigger.objects.in_bulk([e.data.get("trigger") for e in cleared])
    for e in cleared:
        gone = triggers.get(e.data.get("trigger"))
        if gone is None:
            continue
        before = (
            Event.objects.filter(plan=plan, kind="rollback.cleared", data__trigger=gone.pk, at__lt=e.at)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        yield Notice(
            kind="alarm", source_kind="route.alarm", source_id=gone.pk, variant=f"clear{e.pk}", at=e.at,
            link=board, title=f"Rollback alarm cleared: {gone.description}", text=e.summary,
            severity="critical", page="resolve", dedup=f"launchcontrol/{plan.slug}/trigger/{gone.pk}",
            details={"trigger": gone.description}, since=before,
        )  # fmt: skip


def log_notices(plan: Plan, events: list[Any]) -> Iterator[Notice]:
    """NO-GO decisions, holds and their ends, and the launch's state changes, from the activity log."""
    board = f"{settings.SITE_URL}/plans/{plan.slug}/warroom/"
    for e in events:
        if e.kind == "gate.decided" and e.data.get("decision") == "no_go":
            kind, title = "no_go", f"NO-GO: {e.summary}"
        elif e.kind == "hold.started":
            kind, title = "hold", e.summary
        elif e.kind == "hold.ended":
            kind, title = "hold", f"Resumed: {e.summary}"
        elif e.kind == "plan.state":
            kind, title = "state", e.summary
        else:
            continue
        who = f"By {person(e.actor)}." if e.actor is not None else ""
        yield Notice(
            kind=kind, source_kind="route.event", source_id=e.pk, variant=kind, at=e.at, title=title, text=who,
            link=board, severity=KIND_SEVERITY[kind], role_ids={e.role_id} if e.role_id else set(),
        )  # fmt: skip


def reminder_notices(plan: Plan, start: datetime, end: datetime) -> Iterator[Notice]:
    """The built-in reminders, one notice per reminder (not per person), with whom each is for."""
    from django.contrib.auth import get_user_model

    from ..sources.oncall import occurrence_reminders
    from ..sources.reminders import item_reminders, step_reminders

    grouped: dict[tuple[str, int, datetime], list[Any]] = {}
    for fn in (item_reminders, step_reminders, occurrence_reminders):
        for spec in fn(plan, start, end):
            grouped.setdefault((spec.source_kind, spec.source_id, spec.due_at), []).append(spec)
    ids = {
        int(s.recipient.split(":")[1]) for specs in grouped.values() for s in specs if s.recipient.startswith("user:")
    }
    users = get_user_model().objects.in_bulk(ids)
    for (kind, pk, due), specs in grouped.items():
        subject, body = specs[0].render()
        people = []
        for s in specs:
            user = users.get(int(s.recipient.split(":")[1])) if s.recipient.startswith("user:") else None
            if user is not None:
                people.append((user, s.recipient_label.split(" (", 1)[-1].rstrip(")")))
        yield Notice(
            kind="reminder", source_kind="route.reminder", source_id=pk, variant=kind, at=due,
            title=subject.removeprefix(f"[{plan.name}] "), text=body, link="", severity="low", people=people,
            expires=specs[0].expires_at, anchor=specs[0].anchor or due,
        )  # fmt: skip


def _merge_first_rungs(found: list[Notice], rungs: list[Notice]) -> list[Notice]:
    """A rung reached the moment its issue opens (``after: 0``) is told with the opening, once: the
    opening then also stands for the rung, and names the rung's people."""
    openings = {(n.source_id, n.at): n for n in found if n.variant == "opened"}
    for rung in rungs:
        opening = openings.get((rung.source_id, rung.at))
        if opening is None:
            found.append(rung)
            continue
        opening.also.add("escalation")
        opening.role_ids |= rung.role_ids
        known = {u.pk for u, _ in opening.people}
        opening.people += [(u, tag) for u, tag in rung.people if u.pk not in known]
        opening.details["escalation"] = rung.details["escalation"]
    return found


def plan_notices(plan: Plan, start: datetime, end: datetime, *, kinds: set[str]) -> list[Notice]:
    """Every notice of the kinds some route takes, in time order."""
    from plans.models import Event

    log_kinds = ["issue.opened", "issue.acknowledged", "issue.resolved", "rollback.cleared", "gate.decided"]
    log_kinds += ["hold.started", "hold.ended", "plan.state"]
    events = list(
        Event.objects.filter(plan=plan, kind__in=log_kinds, at__gt=start, at__lte=end)
        .select_related("actor")
        .order_by("at", "id")
    )
    out: list[Notice] = []
    if kinds & {"issue", "sla"}:
        out += issue_notices(plan, start, end, events)
    if "escalation" in kinds:
        out = _merge_first_rungs(out, list(escalation_notices(plan, start, end)))
    if "alarm" in kinds:
        out += alarm_notices(plan, start, end, events)
    if kinds & {"no_go", "hold", "state"}:
        out += log_notices(plan, events)
    if "reminder" in kinds:
        out += reminder_notices(plan, start, end)
    out.sort(key=lambda n: (n.at, n.source_kind, n.source_id, n.variant))
    return out
