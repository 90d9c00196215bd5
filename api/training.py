"""Readiness over the API (issue 13): every training track's figure (scope ``read``), and attendance
recorded from another system, such as a learning platform's completion hook (scope ``training``), through
``readiness.services.attendance_record`` as the token's service identity (the coordinator's rights)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from readiness.figures import TrackFigure, plan_figures
from readiness.models import Attendee, Session, Track
from readiness.services import attendance_record

from .auth import TokenAuth, access
from .errors import FieldFault, service_call
from .models import Scope
from .schemas import Body, Error

router = Router(tags=["readiness"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}


class TrackOut(Schema):
    audience: str
    slug: str
    expected: int = Field(description="Attendees expected to complete the track.")
    completed: int
    percent: int | None = Field(description="Completed per cent, rounded down; null while nobody is expected.")
    missing: list[str] = Field(description="The e-mails of those who have not completed it.")


class AttendanceIn(Body):
    email: str = Field(min_length=3, max_length=254, description="An expected attendee of the track.")
    completed: bool = True
    session: str = Field("", max_length=200, description="The title of the session attended (optional).")
    note: str = Field("", max_length=300)


class AttendanceOut(Schema):
    email: str
    name: str
    completed: bool
    completed_at: datetime | None
    track: TrackOut


def _track_out(f: TrackFigure) -> dict[str, Any]:
    return {
        "audience": f.track.name,
        "slug": f.track.slug,
        "expected": f.expected,
        "completed": f.completed,
        "percent": f.percent,
        "missing": [a.email for a in f.missing],
    }


@router.get(
    "/plans/{plan}/readiness",
    response={200: list[TrackOut], **ERRORS},
    url_name="readiness",
    auth=TokenAuth(Scope.READ),
    summary="Training figures per audience",
    description="Scope `read`. Every training track with how many of its expected attendees completed it.",
)
def readiness_view(request: HttpRequest, plan: str) -> list[dict[str, Any]]:
    where = access(request, plan, Scope.READ)
    return [_track_out(f) for f in plan_figures(where.plan)]


@router.post(
    "/plans/{plan}/readiness/{track}/attendance",
    response={200: AttendanceOut, **ERRORS},
    url_name="attendance_record",
    auth=TokenAuth(Scope.TRAINING),
    summary="Record that an attendee completed a training track (or did not)",
    description="Scope `training`. `{track}` is the track's slug (no such track: 404); `email` must be an "
    "expected attendee of the track (else 404); `session` a session title of the track (else 400). Recording "
    "the same again changes nothing. The answer carries the track's figure, which the gates bound to it read live.",
)
def attendance_view(request: HttpRequest, plan: str, track: str, body: AttendanceIn) -> dict[str, Any]:
    where = access(request, plan, Scope.TRAINING)
    if not Track.objects.filter(plan=where.plan, slug=track).exists():
        raise HttpError(404, f"No training track “{track[:80]}” in this plan.")
    attendee = (
        Attendee.objects.select_related("track")
        .filter(track__plan=where.plan, track__slug=track, email__iexact=body.email)
        .first()
    )
    if attendee is None:
        raise HttpError(404, f"{body.email} is not an expected attendee of the track “{track}”.")
    session = None
    if body.session:
        session = Session.objects.filter(track=attendee.track, title__iexact=body.session).first()
        if session is None:
            raise FieldFault(["body", "session"], f"The track has no session “{body.session}”.")
    with service_call("note"):
        done = attendance_record(attendee, by=where.identity, completed=body.completed, session=session, note=body.note)
    figure = next(f for f in plan_figures(where.plan) if f.track.pk == attendee.track_id)
    return {
        "email": done.email,
        "name": done.name,
        "completed": done.completed_at is not None,
        "completed_at": done.completed_at,
        "track": _track_out(figure),
    }
