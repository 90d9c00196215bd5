"""Writing to a launch's review: lessons learned and follow-up actions (the coordinator's, like the
plan's other after-the-fact records). A follow-up action is also an item of the plan's follow-up
checklist ("Follow-up actions", made on first use), owned by its role and due by the end of its date.

The operations handoff: the coordinator proposes it (what is handed over, to which role), the receiving
role's primary or backup accepts it, and the launch is closed (``plans.closing``): its launch day is
read-only from then on, while the review and the follow-up actions stay open. If the handoff was premature
(a sev-1 the day after), the coordinator reopens the launch with a reason (``plan_reopen``): it goes back to
the state it was closed from and the handoff is marked reverted, kept with its acceptance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from checklists.models import Checklist, Item, ItemStatus
from issues.models import Issue, IssueStatus
from launchcontrol.dates import day_text
from plans.models import Event, PlanStatus
from plans.permissions import require_coordinator
from plans.services import event_record, plan_lock, plan_state_record
from plans.validators import clean_text

from .models import FollowUp, Handoff, HandoffStatus, Lesson, LessonKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan
    from roles.models import Role

FOLLOW_UP_CHECKLIST = "Follow-up actions"
LESSON_MAX = 2000
TITLE_MAX = 300


def lesson_add(plan: Plan, *, by: User, kind: str, text: str) -> Lesson:
    require_coordinator(by, plan)
    if kind not in LessonKind.values:
        raise ValidationError("A lesson went well or is to improve.")
    text = clean_text(text, max_length=LESSON_MAX, multiline=True, field="Lesson")
    if not text:
        raise ValidationError("Write the lesson.")
    with transaction.atomic():
        lesson = Lesson.objects.create(plan=plan, kind=kind, text=text, created_by=by)
        event_record(
            plan, kind="review.lesson_added", actor=by, summary=f"Lesson learned: {text}", data={"lesson": lesson.pk}
        )
    return lesson


def lesson_delete(lesson: Lesson, *, by: User) -> None:
    require_coordinator(by, lesson.plan)
    with transaction.atomic():
        pk = lesson.pk
        lesson.delete()
        event_record(lesson.plan, kind="review.lesson_deleted", actor=by, summary="Lesson removed", data={"lesson": pk})


def _end_of_day_offset(plan: Plan, day: date) -> timedelta:
    """The offset from T-0 whose moment (``Plan.at``: whole days on the plan's calendar) is the end of
    ``day`` in the plan's zone (the midnight after it)."""
    target = datetime.combine(day + timedelta(days=1), time(0), tzinfo=plan.zone)
    days = (target.date() - plan.local(plan.t0).date()).days - 1
    offset = timedelta(days=days) + (target - plan.at(timedelta(days=days)))
    return offset if plan.at(offset) == target else target - plan.t0


def _follow_up_checklist(plan: Plan) -> Checklist:
    found = Checklist.objects.filter(plan=plan, name=FOLLOW_UP_CHECKLIST).first()
    if found is not None:
        return found
    order = (Checklist.objects.filter(plan=plan).aggregate(m=Max("order"))["m"] or 0) + 1
    return Checklist.objects.create(
        plan=plan, name=FOLLOW_UP_CHECKLIST, order=order, description="Follow-up actions from the launch review."
    )


def followup_add(plan: Plan, *, by: User, title: str, owner_role: Role, due_date: date) -> FollowUp:
    require_coordinator(by, plan)
    title = clean_text(title, max_length=TITLE_MAX, field="Action")
    if not title:
        raise ValidationError("Say what is to be done.")
    if owner_role.plan_id != plan.pk:
        raise ValidationError("The owner must be a role of this plan.")
    with transaction.atomic():
        checklist = _follow_up_checklist(plan)
        order = (Item.objects.filter(checklist=checklist).aggregate(m=Max("order"))["m"] or 0) + 1
        item = Item.objects.create(
            plan=plan,
            checklist=checklist,
            order=order,
            title=title,
            owner_role=owner_role,
            due_offset=_end_of_day_offset(plan, due_date),
        )
        follow_up = FollowUp.objects.create(
            plan=plan, title=title, owner_role=owner_role, due_date=due_date, item=item, created_by=by
        )
        event_record(
            plan,
            kind="review.followup_added",
            actor=by,
            role=owner_role,
            summary=f"Follow-up action for {owner_role.name}, "
            f"due {day_text(due_date, weekday=False, year=True)}: {title}",
            data={"follow_up": follow_up.pk, "item": item.pk, "due": due_date.isoformat()},
        )
    return follow_up


# --- The operations handoff ---------------------------------------------------------------------------

#: The states a launch may be handed over from.
HANDOFF_FROM = {PlanStatus.LAUNCHED, PlanStatus.STABILIZING, PlanStatus.COMPLETED}
ENTRY_MAX = 300
ENTRIES_MAX = 50


def _entries(values: list[str], field: str) -> list[str]:
    cleaned = [clean_text(v, max_length=ENTRY_MAX, field=field) for v in values]
    out = [v for v in cleaned if v]
    if len(out) > ENTRIES_MAX:
        raise ValidationError(f"{field}: at most {ENTRIES_MAX} entries.")
    return out


def _role_name(role: Role | None) -> str:
    return role.name if role is not None else ""


def handoff_carried(plan: Plan) -> list[dict[str, str]]:
    """What is still open and goes over with the handoff: required items not done (the follow-up actions
    among them) and issues not resolved (two queries)."""
    items = (
        Item.objects.filter(plan=plan, status=ItemStatus.OPEN, required=True, recurrence__isnull=True)
        .select_related("owner_role", "checklist__role")
        .order_by("due_offset", "checklist__order", "order", "pk")
    )
    out = [
        {
            "kind": "item",
            "title": i.title,
            "owner": _role_name(i.owner_role or i.checklist.role),
            "due": plan.at(i.due_offset).isoformat() if i.due_offset is not None else "",
        }
        for i in items
    ]
    open_states = [IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.MITIGATING]
    issues = Issue.objects.filter(plan=plan, status__in=open_states).select_related("owner_role")
    out += [
        {
            "kind": "issue",
            "title": f"#{i.number} {i.title} ({i.get_severity_display()}, {i.get_status_display().lower()})",
            "owner": i.owner_role.name if i.owner_role else "",
            "due": "",
        }
        for i in issues.order_by("number")
    ]
    return out


def handoff_propose(
    plan: Plan,
    *,
    by: User,
    to_role: Role,
    systems: list[str],
    runbooks: list[str],
    contacts: list[str],
    note: str = "",
) -> Handoff:
    """The coordinator proposes the handoff to ``to_role`` (again, to change it, until it is accepted)."""
    require_coordinator(by, plan)
    if to_role.plan_id != plan.pk:
        raise ValidationError("The receiving role must be a role of this plan.")
    systems = _entries(systems, "Systems")
    runbooks = _entries(runbooks, "Runbooks")
    contacts = _entries(contacts, "Contacts")
    note = clean_text(note, max_length=LESSON_MAX, multiline=True, field="Note")
    if not (systems or runbooks or contacts):
        raise ValidationError("Say what is handed over: systems, runbooks or contacts.")
    with transaction.atomic():
        locked = plan_lock(plan)
        if locked.status not in HANDOFF_FROM:
            raise ValidationError(f"A launch is handed over once live; it is {locked.get_status_display().lower()}.")
        handoff, _ = Handoff.objects.select_for_update().get_or_create(plan=locked)
        if handoff.status == HandoffStatus.ACCEPTED:
            raise ValidationError("The handoff was accepted already.")
        handoff.to_role, handoff.systems, handoff.runbooks, handoff.contacts = to_role, systems, runbooks, contacts
        handoff.note, handoff.status = note, HandoffStatus.PROPOSED
        handoff.proposed_by, handoff.proposed_at = by, timezone.now()
        handoff.save()
        event_record(
            locked,
            kind="review.handoff",
            actor=by,
            role=to_role,
            summary=f"Operations handoff proposed to {to_role.name}: " + ", ".join(systems + runbooks + contacts),
            data={"step": "proposed", "handoff": handoff.pk, "to": to_role.name, "reason": note},
        )
    plan.refresh_from_db()
    return handoff


def can_accept_handoff(user: object, handoff: Handoff) -> bool:
    """Only the receiving role's primary or backup accepts (not the coordinator in their stead)."""
    role = handoff.to_role
    pk = getattr(user, "pk", None)
    return role is not None and pk is not None and pk in (role.primary_id, role.backup_id)


def handoff_accept(plan: Plan, *, by: User, note: str = "") -> Handoff:
    """The receiver accepts the proposed handoff: the open items and issues are recorded as carried over and
    the launch is closed."""
    note = clean_text(note, max_length=LESSON_MAX, multiline=True, field="Note")
    with transaction.atomic():
        locked = plan_lock(plan)
        handoff = Handoff.objects.select_for_update(of=("self",)).select_related("to_role").filter(plan=locked).first()
        if handoff is None or handoff.status != HandoffStatus.PROPOSED:
            raise ValidationError("There is no proposed handoff to accept.")
        if not can_accept_handoff(by, handoff):
            role = handoff.to_role.name if handoff.to_role else "receiving role"
            raise PermissionDenied(f"Only the {role}'s primary or backup may accept the handoff.")
        if locked.status not in HANDOFF_FROM:
            raise ValidationError(f"The launch is {locked.get_status_display().lower()}: it cannot be closed.")
        handoff.carried = handoff_carried(locked)
        handoff.status, handoff.accepted_by, handoff.accepted_at = HandoffStatus.ACCEPTED, by, timezone.now()
        if note:
            handoff.note = f"{handoff.note}\n\n{note}".strip()
        handoff.save()
        plan_state_record(
            locked,
            to=PlanStatus.CLOSED,
            by=by,
            summary=f"Launch {PlanStatus(locked.status).label} → Closed: handed over to operations",
            reason="operations handoff accepted",
        )
        event_record(
            locked,
            kind="review.handoff",
            actor=by,
            role=handoff.to_role,
            summary=f"Operations handoff accepted by {handoff.to_role.name if handoff.to_role else '—'}"
            f" with {len(handoff.carried)} open item(s) and issue(s) carried over; launch closed",
            data={"step": "accepted", "handoff": handoff.pk, "carried": len(handoff.carried), "reason": note},
        )
    plan.refresh_from_db()
    return handoff


def plan_reopen(plan: Plan, *, by: User, reason: str) -> Plan:
    """The coordinator reopens a launch closed by the handoff (the handoff was premature): the launch goes
    back to the state it was closed from, its launch day is writable again, and the handoff is marked
    reverted (not deleted: its acceptance and what it carried over stay on record)."""
    require_coordinator(by, plan)
    reason = clean_text(reason, max_length=LESSON_MAX, multiline=True, field="Reason")
    if not reason:
        raise ValidationError("Say why the launch is reopened.")
    with transaction.atomic():
        locked = plan_lock(plan)
        if locked.status != PlanStatus.CLOSED:
            raise ValidationError(f"Only a closed launch is reopened; it is {locked.get_status_display().lower()}.")
        handoff = Handoff.objects.select_for_update(of=("self",)).select_related("to_role").filter(plan=locked).first()
        closing = Event.objects.filter(plan=locked, kind="plan.state", data__to=PlanStatus.CLOSED).order_by("-pk")
        found = closing.values_list("data", flat=True).first() or {}
        back = str(found.get("from")) if found.get("from") in HANDOFF_FROM else str(PlanStatus.STABILIZING)
        summary = f"Launch Closed → {PlanStatus(back).label} (reopened): {reason}"
        plan_state_record(locked, to=back, by=by, summary=summary, reason=reason)
        if handoff is not None and handoff.status == HandoffStatus.ACCEPTED:
            handoff.status, handoff.reverted_by, handoff.reverted_at = HandoffStatus.REVERTED, by, timezone.now()
            handoff.revert_reason = reason
            handoff.save()
            event_record(
                locked,
                kind="review.handoff",
                actor=by,
                role=handoff.to_role,
                summary=f"Operations handoff to {_role_name(handoff.to_role) or '—'} reverted, launch reopened: "
                f"{reason}",
                data={"step": "reverted", "handoff": handoff.pk, "reason": reason},
            )
    plan.refresh_from_db()
    return plan


def _follow_up_exempt(kind: str, data: dict) -> bool:
    """A closed launch's follow-up actions stay open: ticking their items is allowed
    (``plans.closing.register_exemption``)."""
    item = data.get("item")
    return kind.startswith("item.") and isinstance(item, int) and FollowUp.objects.filter(item_id=item).exists()
