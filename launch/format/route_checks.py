"""Checks for a plan's notification routes (``routes:``, issue 12): each route's fields (secrets only as
references, a PagerDuty endpoint that may be called), the roles and placeholders it names, and the
people whose preferences it holds (those need the database: :func:`route_user_problems`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from communications.routes.rules import placeholder_of, route_problems

from .problems import Problem
from .schema import PlanDoc

if TYPE_CHECKING:
    from .loader import Parsed

Finding = tuple[tuple[Any, ...], str]
QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def route_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    roles = {r.name for r in doc.roles}
    placeholders = {p.name: p for p in doc.placeholders}
    seen: set[str] = set()
    for i, route in enumerate(doc.routes):
        loc = ("routes", i)
        if route.name.casefold() in seen:
            found.append((loc + ("name",), f"duplicate route {route.name!r}"))
        seen.add(route.name.casefold())
        problems = route_problems(
            kind=route.kind, url=route.url, key=route.key, to=route.to, events=list(route.events),
            severity=route.severity or "",
        )  # fmt: skip
        found += [(loc + (field,), message) for field, messages in problems.items() for message in messages]
        for field in ("url", "key"):
            name = placeholder_of(getattr(route, field))
            if name is not None and name not in placeholders:
                found.append((loc + (field,), f"unknown placeholder {name!r} (declare it under placeholders:)"))
            elif name is not None and route.kind in {"slack", "teams"} and placeholders[name].value:
                found += _url_findings(loc + (field,), placeholders[name].value)
        found += [(loc + ("roles", j), f"unknown role {r!r}") for j, r in enumerate(route.roles) if r not in roles]
        for j, p in enumerate(route.people):
            if p.quiet and not QUIET.match(p.quiet):
                found.append((loc + ("people", j, "quiet"), "quiet hours are HH:MM-HH:MM, e.g. 22:00-07:00"))
            if p.severity is None and not p.quiet:
                found.append((loc + ("people", j), "say what the person wants: severity, quiet or both"))
    return found


def _url_findings(loc: tuple[Any, ...], url: str) -> list[Finding]:
    """A placeholder's value given in the file is checked as the URL it is."""
    from communications.routes.rules import url_problem

    out: list[Finding] = []
    url_problem(url, lambda _field, message: out.append((loc, message)))
    return out


def route_user_problems(parsed: Parsed) -> list[Problem]:
    from django.contrib.auth import get_user_model

    named = [
        (("routes", i, "people", j, "user"), p.user)
        for i, r in enumerate(parsed.doc.routes)
        for j, p in enumerate(r.people)
    ]
    if not named:
        return []
    # active as a role's holders and a rota's people must be (launch.services.importer, series_checks)
    active = dict(
        get_user_model().objects.filter(username__in={u for _, u in named}).values_list("username", "is_active")
    )
    return [
        Problem(
            parsed.line(loc),
            f"user {name!r} in a route's people: the account is inactive: choose an active user"
            if name in active
            else f"unknown user {name!r} in a route's people",
        )
        for loc, name in named
        if not active.get(name)
    ]
