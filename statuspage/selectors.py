"""What the public status page shows, read in a fixed number of queries (no N+1 at any size).

Only what the comms role published and the component states: never a draft, an internal issue, a
trigger's description, a person. The launch window is shown as a scheduled maintenance (from T-0 to the
plan's ``window_end``; an hour when it declares none), and the plan's status posts are its updates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from communications.models import StatusPost
from plans.models import Hold, Plan, PlanStatus

from .models import Component, ComponentChange, Incident, IncidentKind, IncidentUpdate
from .states import (
    COMPONENT_INDICATOR,
    IMPACT_RANK,
    INDICATOR_DESCRIPTION,
    MAINTENANCE_DESCRIPTION,
    MOMENTS,
    UNRESOLVED,
    ComponentStatus,
    Impact,
    MaintenanceStatus,
    worst,
)

HISTORY_DAYS = 90
INCIDENT_LIMIT = 50
#: A launch window with no declared end is shown as this long.
DEFAULT_WINDOW = timedelta(hours=1)
DONE = {PlanStatus.COMPLETED, PlanStatus.CLOSED, PlanStatus.ROLLED_BACK, PlanStatus.ABORTED}


@dataclass
class Day:
    day: date
    status: str | None  # the worst state that day; None before the component existed

    @property
    def label(self) -> str:
        return ComponentStatus(self.status).label if self.status else "No data"


@dataclass
class Update:
    """One update as every public view shows it (an incident's update, or a status post)."""

    id: str
    status: str
    body: str
    created_at: datetime
    affected: list[dict[str, str]] = field(default_factory=list)
    title: str = ""  # a status post's title (the launch window's updates)
    text: str = ""  # a status post's text without its title

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()


@dataclass
class PublicIncident:
    id: str
    name: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    updates: list[Update]
    components: list[Component]
    maintenance: bool = False
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None

    @property
    def unresolved(self) -> bool:
        return self.status in UNRESOLVED

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()


@dataclass
class PublicState:
    plan: Plan
    now: datetime
    components: list[Component]
    bars: dict[int, list[Day]]
    incidents: list[PublicIncident]
    maintenance: PublicIncident | None
    valid_until: datetime  # the next moment the page changes with time alone
    hold_since: datetime | None = None  # the countdown is frozen there while the launch is on hold

    @property
    def shown_components(self) -> list[Component]:
        return [c for c in self.components if not (c.only_show_if_degraded and c.status == ComponentStatus.OPERATIONAL)]

    @property
    def shown_rows(self) -> list[tuple[Component, list[Day]]]:
        return [(c, self.bars.get(c.pk, [])) for c in self.shown_components]

    @property
    def unresolved(self) -> list[PublicIncident]:
        return [i for i in self.incidents if i.unresolved]

    @property
    def resolved(self) -> list[PublicIncident]:
        return [i for i in self.incidents if not i.unresolved]

    @property
    def maintenances(self) -> list[PublicIncident]:
        return [self.maintenance] if self.maintenance else []

    @property
    def maintenance_active(self) -> bool:
        return self.maintenance is not None and self.maintenance.status in {
            MaintenanceStatus.IN_PROGRESS,
            MaintenanceStatus.VERIFYING,
        }

    @property
    def indicator(self) -> str:
        levels = [COMPONENT_INDICATOR[ComponentStatus(c.status)] for c in self.components]
        levels += [Impact(i.impact) for i in self.unresolved if i.impact in Impact.values]
        return max(levels, key=lambda x: IMPACT_RANK[x], default=Impact.NONE)

    @property
    def banner(self) -> str:
        """The banner's (and the badge's) colour: the indicator, or "maintenance" (blue, as Statuspage shows it)
        while the launch window is under way and nothing is wrong: "Service Under Maintenance" read on green, the
        colour of "All Systems Operational". The JSON's indicator stays Statuspage's (none, minor, major,
        critical)."""
        level = self.indicator
        return "maintenance" if level == Impact.NONE and self.maintenance_active else str(level)

    @property
    def description(self) -> str:
        level = self.indicator
        if level == Impact.NONE and self.maintenance_active:
            return MAINTENANCE_DESCRIPTION
        return INDICATOR_DESCRIPTION[Impact(level)]

    @property
    def updated_at(self) -> datetime:
        return self.plan.updated_at


def window(plan: Plan) -> tuple[datetime, datetime]:
    start = plan.t0
    end = plan.at(plan.window_end) if plan.window_end else start + DEFAULT_WINDOW
    return start, max(end, start)


def maintenance_status(plan: Plan, moment: datetime) -> str:
    start, end = window(plan)
    if plan.status in DONE and moment >= plan.updated_at:
        return MaintenanceStatus.COMPLETED
    if moment < start:
        return MaintenanceStatus.SCHEDULED
    if moment <= end:
        return MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.VERIFYING


def maintenance_moments(plan: Plan) -> dict[int, datetime]:
    """The maintenance's moments as the public page shows them (:func:`maintenance_status`): the window
    opens, it ends while the launch is not done (the page says verifying), the launch is done (completed,
    at the plan's last change then). A phase the launch finished before is not one."""
    start, end = window(plan)
    done = plan.updated_at if plan.status in DONE else None
    moments = {0: start, 1: end} if done is None else {p: m for p, m in ((0, start), (1, end)) if m < done}
    if done is not None:
        moments[2] = done
    return moments


def maintenance_source_id(plan_id: int, phase: int) -> int:
    """Stable whatever T-0 does: one id per plan and moment (0 opens, 1 the window ends, 2 completed)."""
    return plan_id * 3 + phase


def auto_update(plan_id: int, phase: int, moment: datetime) -> Update:
    """Statuspage's automatic update of a maintenance's transition (its words, at the moment)."""
    status, _, words = MOMENTS[phase]
    code = hashlib.sha256(f"maintenance:{maintenance_source_id(plan_id, phase)}".encode()).hexdigest()[:12]
    return Update(id=code, status=status, body=words, created_at=moment)


def _launch_maintenance(
    plan: Plan, posts: list[StatusPost], components: list[Component], now: datetime
) -> PublicIncident | None:
    """The launch window as a scheduled maintenance: the status posts are its updates, with Statuspage's
    automatic ones at the moments it went in progress, to verifying and completed (the page said "No updates
    yet" where the subscribers' webhooks had them)."""
    if plan.clockless:
        return None
    start, end = window(plan)
    status = maintenance_status(plan, now)
    reached = {p: m for p, m in maintenance_moments(plan).items() if m <= now} if plan.pk else {}
    autos = [auto_update(plan.pk, p, m) for p, m in reached.items()] if plan.status != PlanStatus.DRAFT else []
    updates = [
        Update(
            id=f"post{p.pk}",
            status=maintenance_status(plan, p.published_at),
            body=f"{p.title}\n\n{p.body}".strip(),
            created_at=p.published_at,
            title=p.title,
            text=p.body,
        )
        for p in posts
    ]
    updates = sorted([*updates, *autos], key=lambda u: u.created_at, reverse=True)
    code = hashlib.sha256(f"launch-window:{plan.pk}".encode()).hexdigest()[:12]
    created = min([plan.created_at, *(u.created_at for u in updates)])
    return PublicIncident(
        id=code,
        name=f"{plan.name}: launch",
        status=status,
        impact="maintenance",
        created_at=created,
        updated_at=max([created, *(u.created_at for u in updates)]),
        started_at=start,
        monitoring_at=None,
        resolved_at=plan.updated_at if status == MaintenanceStatus.COMPLETED else None,
        updates=updates,
        components=components,
        maintenance=True,
        scheduled_for=start,
        scheduled_until=end,
    )


def _incident(incident: Incident) -> PublicIncident:
    updates = [
        Update(id=u.code, status=u.status, body=u.body, created_at=u.created_at, affected=list(u.affected))
        for u in incident.updates.all()
    ]
    assert incident.published_at is not None
    return PublicIncident(
        id=incident.code,
        name=incident.name,
        status=incident.status,
        impact=incident.impact,
        created_at=incident.published_at,
        updated_at=incident.updated_at,
        started_at=incident.published_at,
        monitoring_at=incident.monitoring_at,
        resolved_at=incident.resolved_at,
        updates=updates,
        components=list(incident.components.all()),
    )


def history_bars(
    plan: Plan, components: list[Component], changes: list[ComponentChange], now: datetime
) -> dict[int, list[Day]]:
    """Per component, the worst state of each of the last HISTORY_DAYS days (the plan's days)."""
    zone = plan.zone
    today = timezone.localtime(now, zone).date()
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
    by_component: dict[int, list[ComponentChange]] = {}
    for change in changes:
        by_component.setdefault(change.component_id, []).append(change)
    bars = {}
    for component in components:
        own = by_component.get(component.pk, [])
        first = timezone.localtime(component.created_at, zone).date()
        # The state at the start of the window: the first change's old state, else the current one.
        state = own[0].old_status if own else component.status
        i, row = 0, []
        for day in days:
            start = datetime.combine(day, time.min, tzinfo=zone)
            end = start + timedelta(days=1)
            while i < len(own) and own[i].at < start:
                state = own[i].new_status
                i += 1
            seen = [state]
            j = i
            while j < len(own) and own[j].at < end:
                seen.append(own[j].new_status)
                j += 1
            row.append(Day(day, worst(*seen) if day >= first else None))
        bars[component.pk] = row
    return bars


def _next_change(plan: Plan, now: datetime) -> datetime:
    zone = plan.zone
    midnight = datetime.combine(timezone.localtime(now, zone).date() + timedelta(days=1), time.min, tzinfo=zone)
    moments = [midnight]
    if not plan.clockless:
        moments += [m for m in window(plan) if m > now]
    return min(moments)


def public_state(plan: Plan, *, now: datetime | None = None) -> PublicState:
    """Everything public about the plan: 5 queries whatever its size."""
    now = now or timezone.now()
    components = list(Component.objects.filter(plan=plan).only(*PUBLIC_COMPONENT_FIELDS))
    since = now - timedelta(days=HISTORY_DAYS + 1)
    changes = list(
        ComponentChange.objects.filter(component__plan=plan, at__gte=since).order_by("component_id", "at", "id")
    )
    incidents = list(
        Incident.objects.filter(plan=plan, kind=IncidentKind.INCIDENT, published_at__isnull=False)
        .order_by("-published_at", "-id")
        .prefetch_related(
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-id")),
            Prefetch("components", queryset=Component.objects.only(*PUBLIC_COMPONENT_FIELDS)),
        )[:INCIDENT_LIMIT]
    )
    posts = list(StatusPost.objects.filter(plan=plan).only("title", "body", "published_at")[:INCIDENT_LIMIT])
    hold = None
    if plan.status == PlanStatus.HOLD:  # one more query, on hold only
        hold = Hold.objects.filter(plan=plan, ended_at__isnull=True).values_list("started_at", flat=True).first()
    return PublicState(
        plan=plan,
        now=now,
        components=components,
        bars=history_bars(plan, components, changes, now),
        incidents=[_incident(i) for i in incidents],
        maintenance=_launch_maintenance(plan, posts, components, now),
        valid_until=_next_change(plan, now),
        hold_since=hold,
    )


PUBLIC_COMPONENT_FIELDS = (
    "id",
    "plan_id",
    "code",
    "order",
    "name",
    "description",
    "group",
    "only_show_if_degraded",
    "status",
    "created_at",
    "updated_at",
)


def public_incident(incident: Incident) -> PublicIncident:
    """One published incident as the public views show it (its updates newest first)."""
    return _incident(incident)
