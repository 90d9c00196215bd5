"""Writing readiness (issue 13): attendance recorded by hand, from an attendance sheet (CSV, all or
nothing) or through the API, and readiness items ticked by their role. Each write checks permission,
runs in one transaction and records an event, so the gate pages that read the figures see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plans.permissions import can_coordinate
from plans.services import event_record
from plans.validators import clean_text
from roles.models import Role
from roles.permissions import can_act_for_role, require_role

from .models import Attendee, ReadinessItem, Session, Track
from .sheet import roster_rows, sheet_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.permissions import Viewer


def trainer_roles(track: Track) -> list[Role]:
    """The track's lead role and its sessions' trainer roles (1 query)."""
    roles = list(Role.objects.filter(training_sessions__track=track).distinct())
    if track.lead_role_id is not None and all(r.pk != track.lead_role_id for r in roles):
        roles.append(track.lead_role)  # type: ignore[arg-type]
    return roles


def can_record(user: Viewer | None, track: Track, roles: list[Role] | None = None) -> bool:
    """The coordinator, and the primary or backup of the track's lead role or of one of its trainers."""
    if can_coordinate(user, track.plan):
        return True
    return any(can_act_for_role(user, r) for r in (trainer_roles(track) if roles is None else roles))


def require_recorder(user: Viewer | None, track: Track) -> None:
    if not can_record(user, track):
        raise PermissionDenied(
            f"Only {track.name}'s training lead or trainers (primary or backup), or the coordinator, "
            "may record its attendance."
        )


def _apply(attendee: Attendee, *, by: User, completed: bool, session: Session | None, note: str) -> bool:
    """Set one attendee's completion; False when nothing changes."""
    was = attendee.completed_at is not None
    if was == completed and (session is None or attendee.attended_id == session.pk) and note == attendee.note:
        return False
    attendee.completed_at = (attendee.completed_at or timezone.now()) if completed else None
    attendee.completed_by = by if completed else None
    if session is not None:
        attendee.attended = session
    attendee.note = note
    attendee.save(update_fields=["completed_at", "completed_by", "attended", "note"])
    return True


def attendance_record(
    attendee: Attendee | int, *, by: User, completed: bool, session: Session | None = None, note: str = ""
) -> Attendee:
    """Record by hand (or through the API) that an expected attendee completed the track, or did not."""
    note = clean_text(note, max_length=300, field="Note")
    with transaction.atomic():
        pk = attendee.pk if isinstance(attendee, Attendee) else attendee
        locked = Attendee.objects.select_for_update(of=("self",)).select_related("track__plan").get(pk=pk)
        track = locked.track
        require_recorder(by, track)
        if session is not None and session.track_id != track.pk:
            raise ValidationError(f"{session.title} is not a session of {track.name}.")
        if _apply(locked, by=by, completed=completed, session=session, note=note):
            state = "completed" if completed else "not completed"
            event_record(
                track.plan,
                kind="readiness.attendance",
                actor=by,
                summary=f"{track.name}: {locked.name} {state}",
                data={"track": track.pk, "attendee": locked.pk, "completed": completed},
            )
    return locked


def attendance_import(track: Track, *, by: User, text: str) -> int:
    """Record an attendance sheet (see :mod:`readiness.sheet`): every row or none. Returns how many
    attendees changed."""
    require_recorder(by, track)
    with transaction.atomic():
        attendees = {
            a.email.casefold(): a for a in Attendee.objects.select_for_update().filter(track=track).order_by("id")
        }
        sessions = {s.title.casefold(): s for s in Session.objects.filter(track=track)}
        rows = sheet_rows(text, emails=set(attendees), sessions=set(sessions))
        changed = 0
        for row in rows:
            session = sessions.get(row.session.casefold()) if row.session else None
            note = row.note or attendees[row.email].note
            changed += _apply(attendees[row.email], by=by, completed=row.completed, session=session, note=note)
        done = sum(1 for r in rows if r.completed)
        event_record(
            track.plan,
            kind="readiness.sheet_imported",
            actor=by,
            summary=f"{track.name}: attendance sheet of {len(rows)} rows ({done} completed, {changed} changed)",
            data={"track": track.pk, "rows": len(rows), "completed": done, "changed": changed},
        )
    return changed


def attendees_import(track: Track, *, by: User, text: str) -> tuple[int, int]:
    """Import a participant list (see :func:`readiness.sheet.roster_rows`) into the track's expected
    attendees: new e-mails are added, known ones get the list's name and session; every row or none. The
    track's training lead (primary or backup) or the coordinator. Returns (added, updated)."""
    require_role(by, track.lead_role, plan=track.plan)
    with transaction.atomic():
        known = {a.email.casefold(): a for a in Attendee.objects.select_for_update().filter(track=track)}
        sessions = {s.title.casefold(): s for s in Session.objects.filter(track=track)}
        rows = roster_rows(text, sessions=set(sessions))
        added: list[Attendee] = []
        updated = 0
        order = max((a.order for a in known.values()), default=-1) + 1
        for row in rows:
            session = sessions.get(row.session.casefold()) if row.session else None
            current = known.get(row.email.casefold())
            if current is None:
                added.append(
                    Attendee(track=track, order=order + len(added), name=row.name, email=row.email, session=session)
                )
            elif (current.name, current.session_id) != (row.name, session.pk if session else current.session_id):
                current.name = row.name
                current.session = session or current.session
                current.save(update_fields=["name", "session"])
                updated += 1
        Attendee.objects.bulk_create(added)
        event_record(
            track.plan,
            kind="readiness.attendees_imported",
            actor=by,
            summary=f"{track.name}: participant list of {len(rows)} ({len(added)} added, {updated} updated)",
            data={"track": track.pk, "rows": len(rows), "added": len(added), "updated": updated},
        )
    return len(added), updated


def readiness_item_set(item: ReadinessItem | int, *, by: User, done: bool, note: str = "") -> ReadinessItem:
    """The item's role (primary or backup) or the coordinator ticks a readiness item, or unticks it."""
    note = clean_text(note, max_length=300, field="Note")
    with transaction.atomic():
        pk = item.pk if isinstance(item, ReadinessItem) else item
        locked = ReadinessItem.objects.select_for_update(of=("self",)).select_related("role", "plan").get(pk=pk)
        require_role(by, locked.role)
        if (locked.done_at is not None) == done and locked.note == note:
            return locked
        locked.done_at = (locked.done_at or timezone.now()) if done else None
        locked.done_by = by if done else None
        locked.note = note
        locked.save(update_fields=["done_at", "done_by", "note"])
        event_record(
            locked.plan,
            kind="readiness.item_set",
            actor=by,
            role=locked.role,
            summary=f"{locked.role.name}: {locked.title} " + ("done" if done else "not done"),
            data={"item": locked.pk, "done": done},
        )
    return locked
