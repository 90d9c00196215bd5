"""Exporting a plan's readiness (``training:``, ``readiness:``; issue 13): the tracks, sessions, expected
attendees, items and bars as written, not who completed or ticked them."""

from __future__ import annotations

from typing import Any

from checklists.models import ReadinessBar
from plans.duedates import due_text
from plans.models import Plan
from readiness.models import Attendee, ReadinessItem, Session, Track

from .slugs import role_slug


def _name(role: Any) -> str | None:
    return None if role is None else role.name


def training_doc(plan: Plan) -> list[dict[str, Any]]:
    sessions = list(Session.objects.filter(plan=plan).select_related("trainer_role").order_by("order", "id"))
    attendees = list(Attendee.objects.filter(track__plan=plan).select_related("session").order_by("order", "id"))
    out = []
    tracks = Track.objects.filter(plan=plan).select_related("lead_role").order_by("order", "id")
    for number, t in enumerate(tracks, start=1):
        out.append(
            {
                "audience": t.name,
                "slug": None if t.slug == role_slug(t.name, None, "track", number) else t.slug,
                "lead": _name(t.lead_role),
                "description": t.description,
                "sessions": [
                    {
                        "title": s.title,
                        "at": s.offset,
                        "date": None if s.starts_at is None else due_text(s.starts_at, False, plan.zone),
                        "duration": s.duration,
                        "trainer": _name(s.trainer_role),
                        "capacity": s.capacity,
                        "location": s.location,
                    }
                    for s in sessions
                    if s.track_id == t.pk
                ],
                "attendees": [
                    {"name": a.name, "email": a.email, "session": a.session.title if a.session else None}
                    for a in attendees
                    if a.track_id == t.pk
                ],
            }
        )
    return out


def readiness_doc(plan: Plan) -> dict[str, Any] | None:
    items = ReadinessItem.objects.filter(plan=plan).select_related("role").order_by("order", "id")
    bars = ReadinessBar.objects.filter(gate__plan=plan).select_related("gate", "track").order_by("order", "id")
    doc = {
        "items": [{"role": i.role.name, "title": i.title} for i in items],
        "gates": [{"gate": b.gate.name, "track": b.track.name, "min": b.minimum} for b in bars],
    }
    return doc if doc["items"] or doc["gates"] else None
