"""The post-launch week (``/plans/<plan>/post-launch/``): the checks due from T+1 to T+7 day by day (items
due that day and the occurrences of recurring items and steps), the success criteria over their windows
(``plans.verdicts``) and the operations handoff. Reads only; a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from checklists.models import Item, ItemStatus
from checklists.series.state import plan_series
from plans.models import Plan
from plans.verdicts import Criterion, plan_criteria

from .models import Handoff

DAYS = 7
SHOWN = 5  # checks shown per day; the rest open in place

#: A check's state in the page's words.
STATE_LABELS = {
    "done": "Done",
    "late": "Done late",
    "missed": "Missed",
    "overdue": "Overdue",
    "due": "Due",
    "upcoming": "Upcoming",
}


#: The order of a day's checks: what needs someone first.
ORDER = ["missed", "overdue", "due", "late", "done", "upcoming"]


@dataclass(frozen=True)
class Check:
    title: str
    role: str
    due: datetime
    state: str  # a key of STATE_LABELS
    number: str = ""  # "#3 of 7" for an occurrence

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Day:
    number: int  # T+1 .. T+7
    start: datetime
    end: datetime
    checks: list[Check] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for c in self.checks if c.state == state)

    @property
    def done(self) -> int:
        return self.count("done") + self.count("late")

    @property
    def count_missed(self) -> int:
        return self.count("missed")

    @property
    def count_overdue(self) -> int:
        return self.count("overdue")

    @property
    def shown(self) -> list[Check]:
        return self.checks[:SHOWN]

    @property
    def hidden(self) -> list[Check]:
        return self.checks[SHOWN:]


@dataclass
class PostWeek:
    plan: Plan
    now: datetime
    days: list[Day]
    criteria: list[Criterion]
    handoff: Handoff | None

    @property
    def started(self) -> bool:
        return self.now >= self.plan.t0


def _item_state(item: Item, due: datetime, now: datetime) -> str:
    if item.status != ItemStatus.OPEN:
        return "late" if item.done_at is not None and item.done_at > due else "done"
    if now > due:
        return "overdue"
    return "due" if now >= due - item.plan.reminder_lead else "upcoming"


def _day_of(days: list[Day], moment: datetime) -> Day | None:
    return next((d for d in days if d.start <= moment < d.end), None)


def post_week(plan: Plan, *, now: datetime) -> PostWeek:
    """The week after T-0 as of ``now`` (six queries)."""
    days = [Day(n, plan.at(timedelta(days=n)), plan.at(timedelta(days=n + 1))) for n in range(1, DAYS + 1)]
    items = (
        Item.objects.filter(
            plan=plan, recurrence__isnull=True, due_offset__gte=timedelta(days=1), due_offset__lt=timedelta(days=8)
        )
        .select_related("plan", "owner_role", "checklist__role")
        .order_by("due_offset", "checklist__order", "order", "pk")
    )
    for item in items:
        due = plan.at(item.due_offset)  # type: ignore[arg-type]
        day = _day_of(days, due)
        if day is not None:
            role = item.owner_role or item.checklist.role
            day.checks.append(Check(item.title, role.name if role else "", due, _item_state(item, due, now)))
    for series in plan_series(plan, now=now):
        for slot in series.state.slots:
            day = _day_of(days, slot.due)
            if day is None:
                continue
            if slot.done:
                state = "late" if slot.late else "done"
            elif now > slot.missed_from:
                state = "missed"
            else:
                state = "due" if now >= slot.due - plan.reminder_lead else "upcoming"
            number = f"#{slot.number} of {series.state.total}"
            day.checks.append(Check(series.title, series.role_name, slot.due, state, number))
    for day in days:  # what needs someone first (missed, overdue, due), then in time order
        day.checks.sort(key=lambda c: (ORDER.index(c.state), c.due, c.role, c.title))
    handoff = (
        Handoff.objects.filter(plan=plan).select_related("to_role", "proposed_by", "accepted_by", "reverted_by").first()
    )
    # From each window's summary (plans.verdicts), not every reading: a week of readings every 10 s is 60,000 a
    # metric, and the page took 2.2 s reading four such metrics' (bench/readings.py's plan).
    wanted = [m for m in plan.metrics.order_by("order", "pk") if m.target is not None and m.comparator]
    criteria = [c for c in plan_criteria(plan, wanted, now=now) if c.window_end is not None]
    return PostWeek(plan=plan, now=now, days=days, criteria=criteria, handoff=handoff)
