"""Writing a plan file's notification routes (``routes:``, issue 12): a section of
:data:`launch.services.creation.SECTIONS`, after the roles and placeholders it names."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from communications.models import Route, RoutePreference
from communications.routes.rules import placeholder_of
from plans.runbook.services import placeholders_mark_secret

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def _quiet(text: str) -> tuple[time | None, time | None]:
    if not text:
        return None, None
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def create_routes(doc: PlanDoc, made: Created) -> None:
    names = {p.user for r in doc.routes for p in r.people}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names)}
    for i, r in enumerate(doc.routes):
        route = Route.objects.create(
            plan=made.plan, order=i, name=r.name, kind=r.kind, url=r.url, key=r.key, to=r.to,
            events=list(r.events), severity=r.severity or "", enabled=r.enabled,
        )  # fmt: skip
        route.roles.set([made.roles[name] for name in r.roles])
        for p in r.people:
            quiet_from, quiet_until = _quiet(p.quiet)
            RoutePreference.objects.create(
                route=route, user=users[p.user], severity=p.severity or "", quiet_from=quiet_from,
                quiet_until=quiet_until,
            )  # fmt: skip
    placeholders_mark_secret(made.plan, [placeholder_of(v) or "" for r in doc.routes for v in (r.url, r.key)])
