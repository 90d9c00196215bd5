"""Writing a plan file's readiness (``training:``, ``readiness:``; issue 13): a section of
:data:`launch.services.creation.SECTIONS`, after the roles and gates it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checklists.models import ReadinessBar
from launch.format.slugs import role_slug
from plans.duedates import due_moment
from readiness.models import Attendee, ReadinessItem, Session, Track

if TYPE_CHECKING:
    from launch.format.readiness_sections import TrackDoc
    from launch.format.schema import PlanDoc

    from .creation import Created


def _create_track(i: int, t: TrackDoc, made: Created) -> Track:
    plan = made.plan
    track = Track.objects.create(
        plan=plan,
        order=i,
        name=t.audience,
        slug=role_slug(t.audience, t.slug, "track", i + 1),
        description=t.description,
        lead_role=made.role(t.lead),
    )
    sessions = Session.objects.bulk_create(
        [
            Session(
                track=track,
                plan=plan,
                order=j,
                title=s.title,
                offset=s.at,
                starts_at=due_moment(s.date, plan.zone)[0] if s.date else None,
                duration=s.duration,
                trainer_role=made.role(s.trainer),
                capacity=s.capacity,
                location=s.location,
            )
            for j, s in enumerate(t.sessions)
        ]
    )
    by_title = {s.title.casefold(): s for s in sessions}
    Attendee.objects.bulk_create(
        [
            Attendee(
                track=track,
                order=j,
                name=a.name,
                email=a.email,
                session=by_title.get(a.session.casefold()) if a.session else None,
            )
            for j, a in enumerate(t.attendees)
        ]
    )
    return track


def create_readiness(doc: PlanDoc, made: Created) -> None:
    tracks = {t.audience: _create_track(i, t, made) for i, t in enumerate(doc.training)}
    if doc.readiness is None:
        return
    ReadinessItem.objects.bulk_create(
        [
            ReadinessItem(plan=made.plan, role=made.roles[it.role], order=i, title=it.title)
            for i, it in enumerate(doc.readiness.items)
        ]
    )
    ReadinessBar.objects.bulk_create(
        [
            ReadinessBar(gate=made.gates[b.gate], track=tracks[b.track], minimum=b.min, order=i)
            for i, b in enumerate(doc.readiness.gates)
        ]
    )
