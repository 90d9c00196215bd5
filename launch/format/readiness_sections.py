"""The plan format's readiness sections (issue 13): ``training:`` (a track per audience with its sessions
and expected attendees) and ``readiness:`` (items per role, and the gates' readiness bars)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .fields import (
    DueDate,
    Duration,
    Email,
    Entries,
    Name120,
    Name200,
    Name300,
    Offset,
    Ref,
    Str80,
    Str200,
    Strict,
    Text,
)


class SessionDoc(Strict):
    """A training session (readiness.Session): ``at`` an offset (``date`` on a clockless plan, with a time),
    ``trainer`` the role who trains and may record its attendance, ``capacity`` the seats."""

    title: Name200
    at: Offset | None = None
    date: DueDate | None = None
    duration: Duration | None = None
    trainer: Ref | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = None
    location: Str200 = ""


class AttendeeDoc(Strict):
    """Someone expected to complete the track (readiness.Attendee); ``session``: the one they are booked on."""

    name: Name200
    email: Annotated[Email, Field(min_length=3)]
    session: Ref | None = None


class TrackDoc(Strict):
    """The training of one audience (readiness.Track); ``lead``: the training lead role."""

    audience: Name120
    slug: Str80 | None = None
    lead: Ref | None = None
    description: Text = ""
    sessions: Entries[SessionDoc] = []
    attendees: Entries[AttendeeDoc] = []


class ReadinessItemDoc(Strict):
    """Something a role must have done before the launch (readiness.ReadinessItem)."""

    role: Ref
    title: Name300


class ReadinessBarDoc(Strict):
    """A gate criterion read from a track's figure (checklists.ReadinessBar): ``min`` per cent trained."""

    gate: Ref
    track: Ref
    min: Annotated[int, Field(ge=1, le=100)]


class ReadinessDoc(Strict):
    items: Entries[ReadinessItemDoc] = []
    gates: Entries[ReadinessBarDoc] = []
