"""Reading readiness for its pages: the plan's summary (every track's figure, its sessions, the items per
role) and one track's page (sessions, attendees, who may record). A fixed number of queries each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from plans.models import Plan
from roles.models import Role
from roles.permissions import can_act_for_role

from .figures import figures_of, items_by_role
from .models import Attendee, ReadinessItem, Session, Track
from .services import can_record

if TYPE_CHECKING:
    from plans.permissions import Viewer


def _sessions(filter_: dict[str, Any], plan: Plan) -> list[Session]:
    rows = list(Session.objects.filter(**filter_).select_related("trainer_role").order_by("track_id", "order", "id"))
    for s in rows:
        s.plan = plan
        if s.trainer_role is not None:
            s.trainer_role.plan = plan
    return rows


def readiness_summary(plan: Plan, *, user: Viewer) -> dict[str, Any]:
    """The readiness page (5 queries): tracks with figures and sessions, items grouped by role."""
    tracks = list(Track.objects.filter(plan=plan).select_related("lead_role").order_by("order", "id"))
    figures = figures_of(tracks, Attendee.objects.filter(track__plan=plan).order_by("order", "id"))
    sessions = _sessions({"plan": plan}, plan)
    items = list(
        ReadinessItem.objects.filter(plan=plan).select_related("role", "done_by").order_by("role__order", "order", "id")
    )
    for item in items:
        item.role.plan = plan
    groups = items_by_role(items)
    expected = sum(f.expected for f in figures)
    completed = sum(f.completed for f in figures)
    return {
        "rows": [{"figure": f, "sessions": [s for s in sessions if s.track_id == f.track.pk]} for f in figures],
        "groups": [
            {"group": g, "items": [{"item": i, "can_act": can_act_for_role(user, i.role)} for i in g.items]}
            for g in groups
        ],
        "expected": expected,
        "completed": completed,
        "percent": completed * 100 // expected if expected else None,
        "items_done": sum(g.done for g in groups),
        "items_total": len(items),
    }


def track_for(plan: Plan, slug: str) -> Track:
    track = get_object_or_404(Track.objects.select_related("lead_role"), plan=plan, slug=slug)
    track.plan = plan
    if track.lead_role is not None:
        track.lead_role.plan = plan
    return track


def track_page(plan: Plan, track: Track, *, user: Viewer) -> dict[str, Any]:
    """One track's page (3 queries after the track): sessions, attendees, the figure, may the viewer record."""
    sessions = _sessions({"track": track}, plan)
    attendees = list(Attendee.objects.filter(track=track).select_related("completed_by").order_by("order", "id"))
    by_session: dict[int | None, int] = {}
    titles = {s.pk: s.title for s in sessions}
    starts = {s.pk: s.at() if plan.dates_in_range else None for s in sessions}
    now = timezone.now()
    for a in attendees:
        by_session[a.session_id] = by_session.get(a.session_id, 0) + 1
        a.booked_title = titles.get(a.session_id, "") if a.session_id else ""  # type: ignore[attr-defined]
        # Not completed yet, booked on a session still to come: "Booked", not "Missing".
        start = starts.get(a.session_id) if a.session_id else None
        a.to_come = a.completed_at is None and start is not None and start > now  # type: ignore[attr-defined]
    roles = [s.trainer_role for s in sessions if s.trainer_role is not None]
    if track.lead_role is not None:
        roles.append(track.lead_role)
    return {
        "track": track,
        "figure": figures_of([track], attendees)[0],
        "sessions": [{"session": s, "booked": by_session.get(s.pk, 0)} for s in sessions],
        "attendees": attendees,
        "can_record": can_record(user, track, roles),
        "can_import": can_act_for_role(user, track.lead_role, plan=plan),
    }


def role_items(plan: Plan, role: Role) -> list[ReadinessItem]:
    """The role's readiness items, in order, with who ticked them (1 query)."""
    items = list(ReadinessItem.objects.filter(plan=plan, role=role).select_related("done_by").order_by("order", "id"))
    for item in items:
        item.role = role
    return items


def role_readiness(plan: Plan, role: Role) -> dict[str, Any]:
    """A role's readiness on its checklist page (3 queries): its readiness items, and the training tracks it
    leads or trains a session of, with the sessions it trains."""
    items = role_items(plan, role)
    own = Prefetch(
        "sessions", queryset=Session.objects.filter(trainer_role=role).order_by("order", "id"), to_attr="trained"
    )
    tracks = list(
        Track.objects.filter(plan=plan)
        .filter(Q(lead_role=role) | Q(sessions__trainer_role=role))
        .distinct()
        .prefetch_related(own)
        .order_by("order", "id")
    )
    for track in tracks:
        track.plan = plan
        for session in track.trained:  # type: ignore[attr-defined]
            session.plan = plan
    return {
        "items": items,
        "done": sum(1 for i in items if i.done_at is not None),
        "trainings": [{"track": t, "leads": t.lead_role_id == role.pk, "sessions": t.trained} for t in tracks],  # type: ignore[attr-defined]
    }


def my_trainings(user: Viewer) -> list[dict[str, Any]]:
    """The trainings a signed-in person is on the list of, across plans, by the email on their account
    (attendees are names and addresses, not accounts; the address is matched without regard to case): the
    track, the session they are booked on and where they stand (``state``: completed, attended, to attend,
    not recorded once the session has gone by, or unbooked). Soonest booked session first, the unbooked last
    (1 query). None for an account without an email address."""
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return []
    rows = list(
        Attendee.objects.filter(email__iexact=email)
        .select_related("track__plan", "session", "attended")
        .order_by("track__plan__t0", "track__order", "track_id")
    )
    now = timezone.now()
    dated: list[tuple[datetime, dict[str, Any]]] = []
    undated: list[dict[str, Any]] = []
    for a in rows:
        plan = a.track.plan
        for s in (a.session, a.attended):
            if s is not None:
                s.plan = plan
        at = a.session.at() if a.session is not None and plan.dates_in_range else None
        row = {
            "plan": plan,
            "track": a.track,
            "attendee": a,
            "session": a.session,
            "at": at,
            "state": _state(a, at, now),
        }
        if at is None:
            undated.append(row)
        else:
            dated.append((at, row))
    return [row for _, row in sorted(dated, key=lambda pair: pair[0])] + undated


def _state(attendee: Attendee, at: datetime | None, now: datetime) -> str:
    """Where an attendee stands with their training (what their home page says)."""
    if attendee.completed_at is not None:
        return "completed"
    if attendee.attended_id is not None:
        return "attended"
    if attendee.session_id is None:
        return "unbooked"
    return "not_recorded" if at is not None and at < now else "to_attend"
