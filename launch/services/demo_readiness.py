"""The demo's readiness (issue 13): three training tracks with sessions at believable T-offsets and
expected attendees, readiness items per role, and the go/no-go bound to the support team's figure. Played
through readiness.services (attendance recorded by the training lead, items ticked by their role), then
dated: a completion at the end of its session, a tick a few days before T-0."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from readiness.models import Attendee, ReadinessItem
from readiness.services import attendance_record, readiness_item_set

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan


def _email(name: str) -> str:
    return STAFF.get(name) or f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com"


def _people(session: str, names: list[str]) -> str:
    return "".join(f"      - {{name: {n}, email: {_email(n)}, session: {session}}}\n" for n in names)


SUPPORT = ["Amara Diallo", "Ben Carter", "Chloe Nguyen", "Dmitri Petrov", "Elif Yilmaz", "Femi Adeyemi"]
INSTRUCTORS_EARLY = ["Grace Hopkins", "Hiro Tanaka", "Isabel Ortiz"]
INSTRUCTORS_LATE = ["Jonas Weber", "Kemi Okafor", "Liam Byrne"]
ON_CALL = ["Maya Singh", "Noah Kim", "Omar Haddad", "Priya Raman", "Dana Base", "Tess Lead"]
# Demo logins on a list (by their accounts' addresses), so that their home pages show their training: the DBA
# and the technical lead are on call in launch week, and did the drill.
STAFF = {"Dana Base": "dba@example.com", "Tess Lead": "techlead@example.com"}
# Who has not completed yet: one support agent (off sick on the day, booked on the catch-up), the
# instructors booked on the walkthrough after go-live, and one on-call engineer.
NOT_DONE = {"Femi Adeyemi", *INSTRUCTORS_LATE, "Priya Raman"}

TRAINING = (
    """
# The demo's readiness (issue 13): who is trained for the launch, and what each role confirmed before it.
training:
  - audience: Support team
    lead: Support Lead
    description: The new LMS's admin screens, refunds and the known-issue replies; every agent before go-live.
    sessions:
      - {title: Support intensive, at: T-4d, duration: 4h, trainer: Support Lead, capacity: 8, location: Room 2}
      - {title: Support catch-up, at: T+1d, duration: 2h, trainer: Support Lead, capacity: 4, location: Online}
    attendees:
"""
    + _people("Support intensive", SUPPORT[:5])
    + _people("Support catch-up", SUPPORT[5:])
    + """  - audience: Instructors
    lead: Product Manager
    description: Course authoring and the grade book in the new LMS.
    sessions:
      - {title: Instructor walkthrough, at: T-3d, duration: 2h, trainer: Product Manager, location: Online}
      - {title: Instructor walkthrough (repeat), at: T+2d, duration: 2h, trainer: Product Manager, location: Online}
    attendees:
"""
    + _people("Instructor walkthrough", INSTRUCTORS_EARLY)
    + _people("Instructor walkthrough (repeat)", INSTRUCTORS_LATE)
    + """  - audience: On-call engineers
    lead: Operations Manager
    description: The launch runbooks, the alarms and the rollback drill.
    sessions:
      - {title: Runbook and rollback drill, at: T-2d, duration: 3h, trainer: DevOps Engineer, location: War room}
    attendees:
"""
    + _people("Runbook and rollback drill", ON_CALL)
)
# (role, title, done) per readiness item: most confirmed, a few still open two hours before T-0.
ITEMS = [
    ("Technical Lead", "Roles and responsibilities confirmed with every team", True),
    ("Technical Lead", "Rollback rehearsal reviewed", True),
    ("DevOps Engineer", "On-call rota staffed for launch week", True),
    ("DevOps Engineer", "Alert routes tested end to end", False),
    ("Database Administrator", "Restore from last night's backup rehearsed", True),
    ("QA Lead", "Smoke-test accounts ready in production", True),
    ("QA Lead", "Regression sign-off filed", False),
    ("Product Manager", "Instructor FAQ published", False),
    ("Support Lead", "Support rota staffed (24/7 the first week)", True),
    ("Support Lead", "Canned replies for the known issues loaded", False),
    ("Operations Manager", "Escalation contacts distributed", True),
]
READINESS = (
    "readiness:\n  items:\n"
    + "".join(f'    - {{role: {role}, title: "{title}"}}\n' for role, title, _ in ITEMS)
    + "  gates:\n    - {gate: Go/No-Go, track: Support team, min: 80}\n"
)
# When the items were ticked: from three days before T-0, a couple of hours apart.
TICKED_FROM = timedelta(days=-3)


def with_readiness(text: str) -> str:
    """The demo's plan file with its training and readiness sections (once)."""
    if "\ntraining:" in text or "\nreadiness:" in text:
        return text
    return text.rstrip("\n") + "\n" + TRAINING + READINESS


def demo_readiness(plan: Plan, *, coordinator: User) -> None:
    """Record who completed their training and tick the items done, through the services, then date them."""
    attendees = Attendee.objects.filter(track__plan=plan).select_related("track__lead_role__primary", "session")
    for a in attendees.order_by("track__order", "order"):
        if a.name in NOT_DONE or a.session is None:
            continue
        lead = a.track.lead_role
        attendance_record(
            a, by=(lead.primary if lead and lead.primary else coordinator), completed=True, session=a.session
        )
        end = _end(plan, a.session.offset, a.session.duration)
        Attendee.objects.filter(pk=a.pk).update(completed_at=end)
    done = {title for _, title, is_done in ITEMS if is_done}
    items = ReadinessItem.objects.filter(plan=plan, title__in=done).select_related("role__primary")
    for k, item in enumerate(items.order_by("role__order", "order")):
        readiness_item_set(item, by=item.role.primary or coordinator, done=True)
        at = plan.at(TICKED_FROM + timedelta(hours=2 * k, minutes=13 * (k % 3)))
        ReadinessItem.objects.filter(pk=item.pk).update(done_at=at)


def _end(plan: Plan, offset: timedelta | None, duration: timedelta | None) -> datetime | None:
    return None if offset is None else plan.at(offset + (duration or timedelta(0)))


def readiness_moments(plan: Plan) -> dict[tuple[str, int], datetime | None]:
    """When each readiness event of the demo happened, by (kind, row id), for its log."""
    moments: dict[tuple[str, int], datetime | None] = {}
    for pk, at in Attendee.objects.filter(track__plan=plan, completed_at__isnull=False).values_list(
        "pk", "completed_at"
    ):
        moments[("readiness.attendance", pk)] = at
    for pk, at in ReadinessItem.objects.filter(plan=plan, done_at__isnull=False).values_list("pk", "done_at"):
        moments[("readiness.item_set", pk)] = at
    return moments
