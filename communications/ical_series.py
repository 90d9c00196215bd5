"""What repeats, in a role's iCalendar feed (issue 16): each occurrence of the role's recurring items as an
event of its own (at most :data:`checklists.series.times.MAX_SERIES` per series), ticked ones marked ✓, and
each on-call shift of the role as an event naming the person and the backup. UIDs are stable
(``occ-<item>-<n>@…``, ``shift-<id>@…``), so a calendar follows holds and re-baselines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from launchcontrol.dates import moment_text
from plans.runbook.fill import fill_text

if TYPE_CHECKING:
    from icalendar import Event

    from plans.models import Plan
    from roles.models import Role

#: (uid, summary, start, end, description, status) -> an event (communications.ical.role_calendar's).
MakeEvent = Callable[..., "Event"]


def series_events(plan: Plan, role: Role, event: MakeEvent) -> Iterator[Event]:
    """The occurrences of the role's recurring items and the recurring steps it leads (two queries: the
    rules, the ticks)."""
    from checklists.models import Recurrence
    from checklists.series.state import RULE_RELATED, rule_key, rule_title, rules_ticks
    from checklists.series.times import series_moments

    owned = Q(item__owner_role=role) | Q(item__owner_role__isnull=True, item__checklist__role=role)
    rules = list(
        Recurrence.objects.filter(owned | Q(step__lead_role=role), plan=plan)
        .select_related(*RULE_RELATED)
        .order_by("step__offset", "item__order", "item_id")
    )
    ticks = rules_ticks(rules)
    for rule in rules:
        kind, pk = rule_key(rule)
        done = ticks.get((kind, pk), {})
        title = fill_text(plan, rule_title(rule))
        section = rule.item.section if rule.item is not None else "Step"
        dues = series_moments(plan, rule)
        for i, due in enumerate(dues):
            yield event(
                f"occ-{pk}-{i + 1}" if kind == "item" else f"socc-{pk}-{i + 1}",
                f"{'✓ ' if i in done else ''}{title} #{i + 1} of {len(dues)}",
                due,
                due,
                f"{plan.name}: repeats, due for {role.name}. {section}".strip(),
            )


def shift_events(plan: Plan, role: Role, event: MakeEvent) -> Iterator[Event]:
    """The role's on-call shifts (one query)."""
    from roles.rota.oncall import plan_shifts

    for shift in plan_shifts(plan, role_ids=[role.pk]):
        who = shift.person_name or "nobody"
        backup = f" (backup {shift.backup_name})" if shift.backup_name else ""
        start: datetime = shift.start
        yield event(
            f"shift-{shift.shift_id}",
            f"On call: {who}{backup} · {role.name}",
            start,
            shift.end,
            f"{plan.name}: {who} is on call for {role.name} "
            f"until {moment_text(plan.local(shift.end), zone=False)}{backup}.",
        )
