"""Checks for the readiness sections (``training:``, ``readiness:``; issue 13): the roles, gates, tracks and
sessions they name, unique audiences, session titles and attendee e-mails, and times that fit the clock."""

from __future__ import annotations

from typing import Any

from .readiness_sections import TrackDoc
from .schema import PlanDoc
from .slugs import role_slug

Finding = tuple[tuple[Any, ...], str]


def _session_checks(doc: PlanDoc, loc: tuple[Any, ...], track: TrackDoc, roles: set[str]) -> list[Finding]:
    found: list[Finding] = []
    titles: set[str] = set()
    for j, s in enumerate(track.sessions):
        here = loc + ("sessions", j)
        if s.title.casefold() in titles:
            found.append((here + ("title",), f"duplicate session title {s.title!r} in {track.audience!r}"))
        titles.add(s.title.casefold())
        if s.trainer is not None and s.trainer not in roles:
            found.append((here + ("trainer",), f"unknown role {s.trainer!r}"))
        if doc.clockless and s.at is not None:
            found.append((here + ("at",), f"a clockless plan has no T-0: session {s.title!r} takes date, not at"))
        if not doc.clockless and s.date is not None:
            found.append((here + ("date",), f"session {s.title!r}: date is for a clockless plan; use at: T-3d"))
        if s.date is not None and "T" not in s.date:
            found.append((here + ("date",), f"session {s.title!r}: a session's date needs a time (2026-12-01T10:00)"))
    emails: set[str] = set()
    for j, a in enumerate(track.attendees):
        here = loc + ("attendees", j)
        if a.email.casefold() in emails:
            found.append((here + ("email",), f"{a.email!r} is expected twice in {track.audience!r}"))
        emails.add(a.email.casefold())
        if a.session is not None and a.session.casefold() not in titles:
            found.append((here + ("session",), f"{track.audience!r} has no session {a.session!r}"))
    return found


def readiness_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    found: list[Finding] = []
    roles = {r.name for r in doc.roles}
    audiences: set[str] = set()
    slugs: set[str] = set()
    for i, track in enumerate(doc.training):
        loc: tuple[Any, ...] = ("training", i)
        slug = role_slug(track.audience, track.slug, "track", i + 1)  # 日本語 has no ASCII slug: track-N
        if track.audience in audiences or slug in slugs:
            found.append((loc + ("audience",), f"duplicate audience {track.audience!r}"))
        audiences.add(track.audience)
        slugs.add(slug)
        if track.lead is not None and track.lead not in roles:
            found.append((loc + ("lead",), f"unknown role {track.lead!r}"))
        found += _session_checks(doc, loc, track, roles)
    if doc.readiness is None:
        return found
    for i, item in enumerate(doc.readiness.items):
        if item.role not in roles:
            found.append((("readiness", "items", i, "role"), f"unknown role {item.role!r}"))
    gates = {g.name for g in doc.gates}
    bound: set[tuple[str, str]] = set()
    for i, bar in enumerate(doc.readiness.gates):
        loc = ("readiness", "gates", i)
        if bar.gate not in gates:
            found.append((loc + ("gate",), f"unknown gate {bar.gate!r}"))
        if bar.track not in audiences:
            found.append((loc + ("track",), f"no training track for audience {bar.track!r}"))
        if (bar.gate, bar.track) in bound:
            found.append((loc + ("track",), f"{bar.gate!r} already has a bar for {bar.track!r}"))
        bound.add((bar.gate, bar.track))
    return found
