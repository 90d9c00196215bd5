"""What an activity-log row links to: the issue, gate, step, metric or message its event is about (its ``data`` names
it by id: ``{"issue": 12}``), so that "High issue #2: …" opens #2. Each app registers, in ``AppConfig.ready()``,
a function that turns the ids of its key into their pages' addresses in one query (issues: an issue's number;
checklists: a gate's slug); plans never imports the apps above it. An event names several (a gate's trigger
names the gate too): the first key of :data:`KEYS` wins. An id no longer in the plan (deleted) links nowhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Event, Plan

#: The keys of an event's data that name a page, in the order one is chosen.
KEYS = ("issue", "gate", "step", "metric", "message")

Links = Callable[["Plan", set[int]], dict[int, str]]
_LINKS: dict[str, Links] = {}


def register_event_link(key: str, links: Links) -> None:
    """``links(plan, ids)`` returns the address of each of the plan's ``key`` ids that still exist."""
    if key not in KEYS:
        raise ValueError(f"{key!r} is not one of {KEYS}")
    _LINKS[key] = links


def _ids(event: Event, key: str) -> int | None:
    value = event.data.get(key) if isinstance(event.data, dict) else None
    return value if type(value) is int else None  # not a bool, not "proposed" (a handoff's step)


def link_events(plan: Plan, events: Iterable[Event]) -> None:
    """Set ``event.link`` (an address, or "") on each event: one query a key that the events name."""
    events = list(events)
    for event in events:
        event.link = ""  # type: ignore[attr-defined]
    waiting = events
    for key in KEYS:
        links = _LINKS.get(key)
        named = [(e, _ids(e, key)) for e in waiting]
        ids = {i for _, i in named if i is not None}
        if links is None or not ids:
            continue
        found = links(plan, ids)
        for event, i in named:
            if i is not None and i in found:
                event.link = found[i]  # type: ignore[attr-defined]
        waiting = [e for e in waiting if not e.link]  # type: ignore[attr-defined]


def step_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The pages of the plan's steps ``ids`` by id (1 query)."""
    from django.urls import reverse

    from .models import Step

    steps = Step.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True)
    return {pk: reverse("plans:step", args=[plan.slug, pk]) for pk in steps}
