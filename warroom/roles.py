"""The board's "who owns what": every role with the items it owns and the steps it leads (done, late, the
one running), and the work no role owns. The items are counted in one query (``item_stats``), which also
gives "next 30 minutes" its totals; the steps come from the render's step rows (``warroom.steps``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from checklists.models import Item, ItemStatus
from plans.lateness import item_late_q
from plans.models import Plan, Step
from plans.schedule import StepRow, step_rows
from plans.wallclock import before_q
from roles.models import Role, Shift

from . import steps as step_lines

WINDOW = timedelta(minutes=30)


@dataclass
class RoleRow:
    pk: int
    name: str
    order: int
    primary: str  # display name, "" when unassigned
    backup: str
    total: int = 0  # its checklist items, and ``done`` of them (done or skipped): as the home page and role page count
    done: int = 0
    steps_total: int = 0  # the steps it leads, counted apart (never mixed into the items: checklists.summary)
    steps_done: int = 0
    late: int = 0
    current_step: str | None = None
    series: int = 0  # recurring items among its items, and 1 more when it leads recurring steps (warroom.oncall)
    rota: bool = False  # has on-call shifts
    primary_inactive: bool = False  # the holder's account is deactivated: shown "(inactive)", nothing goes to them
    backup_inactive: bool = False

    @property
    def percent(self) -> int:
        """Its bar: all its work, items and steps."""
        work = self.total + self.steps_total
        return 100 if not work else int((self.done + self.steps_done) * 100 / work)

    @property
    def unassigned(self) -> bool:
        return not self.primary

    @property
    def inactive(self) -> bool:
        """A holder's account is deactivated: the board names them, marked, for the coordinator to act."""
        return self.primary_inactive or self.backup_inactive

    @property
    def paged(self) -> str:
        """Who is paged when nobody is on call: the primary, the backup for a deactivated primary (as
        roles.rota.oncall.page_people), or the deactivated primary, marked, when neither is active."""
        if self.primary and not self.primary_inactive:
            return self.primary
        if self.backup and not self.backup_inactive:
            return self.backup
        return f"{self.primary} (inactive)" if self.primary else ""

    @property
    def complete(self) -> bool:
        """All its items and steps done, nothing late or running: the board lists it on one shared "all done"
        line."""
        all_done = self.done == self.total and self.steps_done == self.steps_total
        return bool(self.total + self.steps_total) and all_done and not self.late and self.current_step is None

    @property
    def attention(self) -> tuple:
        """Late first, then a role nobody (active) holds: unassigned, or a holder deactivated."""
        return (-self.late, not (self.unassigned or self.inactive), self.current_step is None, self.order)


def _person(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def item_stats(plan: Plan, now: datetime) -> list[dict[str, Any]]:
    """The plan's items counted per owning role (``rid``: the item's owner role, else its checklist's;
    ``None`` for no role): ``total``, ``done``, ``late`` (open and past due) and ``due`` (open and due
    within the next 30 minutes or late, the lines of "next 30 minutes"), ``series`` (recurring items). One
    query. Due times are placed by the plan's wall clock (``plans.wallclock``)."""
    open_ = Q(status=ItemStatus.OPEN)
    query = (
        Item.objects.filter(plan=plan)
        .annotate(rid=Coalesce("owner_role_id", "checklist__role_id"))
        .values("rid")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=~Q(status=ItemStatus.OPEN)),
            late=Count("id", filter=open_ & item_late_q(plan, now)),
            due=Count("id", filter=open_ & before_q(plan, "due_offset", now + WINDOW, inclusive=True)),
            series=Count("recurrence"),
        )
        .order_by()
    )
    return [dict(row) for row in query]


def due_counts(stats: list[dict[str, Any]]) -> dict[str, int]:
    """ "Next 30 minutes"'s item totals from ``item_stats``: lines (``total``) and ``late``."""
    return {"total": sum(s["due"] for s in stats), "late": sum(s["late"] for s in stats)}


def role_rows(
    plan: Plan,
    now: datetime,
    unowned: RoleRow | None = None,
    steps: list[StepRow] | None = None,
    stats: list[dict[str, Any]] | None = None,
) -> list[RoleRow]:
    """Every role with the progress of its items and the steps it leads, late count and current step; the
    work no role owns is counted into ``unowned`` (coordinator's). One query, and one each for the items'
    counts and the steps unless they are given (``item_stats``, ``plans.schedule.step_rows``)."""
    people = ("first_name", "last_name", "username")
    rota = Exists(Shift.objects.filter(role=OuterRef("pk")))
    repeats = Exists(Step.objects.filter(lead_role=OuterRef("pk"), recurring=True))  # checklists.series
    rows = {
        r[0]: RoleRow(
            r[0],
            r[1],
            r[2],
            _person(*r[3:6]),
            _person(*r[6:9]),
            rota=r[9],
            series=int(r[10]),
            primary_inactive=r[11] is False,
            backup_inactive=r[12] is False,
        )  # fmt: skip
        for r in Role.objects.filter(plan=plan)
        .annotate(has_rota=rota, repeats=repeats)
        .values_list(
            "pk",
            "name",
            "order",
            *(f"primary__{f}" for f in people),
            *(f"backup__{f}" for f in people),
            "has_rota",
            "repeats",
            "primary__is_active",
            "backup__is_active",
        )
    }
    unowned = unowned or RoleRow(0, "", 0, "", "")
    for s in item_stats(plan, now) if stats is None else stats:
        row = rows.get(s["rid"]) if s["rid"] is not None else unowned
        if row:
            row.total, row.done, row.late = s["total"], s["done"], s["late"]
            row.series += s["series"]
    steps = step_rows(plan) if steps is None else steps
    step_lines.count_led(steps, rows, unowned)
    step_lines.mark_running_and_late(plan, steps, rows, now)
    return list(rows.values())
