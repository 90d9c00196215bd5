"""Writing to a launch's review: lessons learned and follow-up actions (the coordinator's, like the
plan's other after-the-fact records). A follow-up action is also an item of the plan's follow-up
checklist ("Follow-up actions", made on first use), owned by its role and due by the end of its date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from checklists.models import Checklist, Item
from plans.permissions import require_coordinator
from plans.services import event_record
from plans.validators import clean_text

from .models import FollowUp, Lesson, LessonKind

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
            summary=f"Follow-up action for {owner_role.name}, due {due_date:%d %b %Y}: {title}",
            data={"follow_up": follow_up.pk, "item": item.pk, "due": due_date.isoformat()},
        )
    return follow_up
