"""Writes for communications: approve a message, send a delivery now, skip one, post by hand, mark a named-only
send posted by hand.

Every function is keyword-only, checks that the user coordinates the plan (a post by hand: that they hold the
communications role, or coordinate), writes in one transaction
and records an event. A delivery is named by its row id, or (for one not yet due) by its key, which is
re-derived from the sources so nobody can make up what gets sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from plans.models import Plan
from plans.permissions import require_coordinator
from plans.services import event_record
from plans.validators import LONG_TEXT_MAX, clean_text
from roles.contacts import person_name
from roles.permissions import can_act_for_role

from . import channels, outbox
from .models import Delivery, DeliveryStatus, HandPost, Message, StatusPost
from .sources import DeliverySpec, overdue_grace, specs_for
from .sources.by_hand import by_hand_specs, comms_role, hand_post_markable
from .templating import MessageTemplateError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from roles.models import Role


Key = tuple[str, int, str, str, datetime]

#: Notices that say something is late: never sent before it is (plans.lateness).
OVERDUE_KINDS = frozenset({"item.overdue", "step.overdue", "step.late_start"})


def delivery_spec(plan: Plan, key: Key) -> DeliverySpec:
    due_at = key[4]
    for spec in specs_for(plan, due_at - timedelta(microseconds=1), due_at):
        if spec.key == key:
            return spec
    raise ValidationError("That delivery is no longer scheduled (the plan changed); reload the page.")


def _row(plan: Plan, *, delivery_id: int | None, key: Key | None, status: str, now: datetime) -> Delivery:
    """The row for a delivery, created from its spec (with ``status``) if it was not due yet."""
    if delivery_id is not None:
        row = Delivery.objects.select_for_update().filter(pk=delivery_id, plan=plan).first()
        if row is None:
            raise ValidationError("No such delivery in this plan.")
        return row
    if key is None:
        raise ValidationError("Say which delivery.")
    spec = delivery_spec(plan, key)
    existing = (
        Delivery.objects.select_for_update()
        .filter(source_kind=key[0], source_id=key[1], recipient=key[2], channel_kind=key[3], due_at=key[4])
        .first()
    )
    if existing is not None:
        return existing
    row = outbox.row_for(plan, spec, now=now, status=status)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the tick made it meanwhile
        row = Delivery.objects.select_for_update().get(
            source_kind=key[0], source_id=key[1], recipient=key[2], channel_kind=key[3], due_at=key[4]
        )
    return row


def _recompose(plan: Plan, row: Delivery) -> None:
    """A delivery whose text could not be composed is composed again (the template may be fixed by now);
    if it still fails, nothing is sent and the coordinator is told why."""
    spec = delivery_spec(plan, row.key)  # type: ignore[arg-type]
    try:
        row.subject, row.body = spec.render()
    except MessageTemplateError as exc:
        raise ValidationError(f"{outbox.COMPOSE_FAILED}{exc}") from None
    row.subject = row.subject[:300]


def delivery_send_now(plan: Plan, *, by: User, delivery_id: int | None = None, key: Key | None = None) -> Delivery:
    """Send a delivery at once, whatever its state (except one already sent or being sent)."""
    require_coordinator(by, plan)
    now = timezone.now()
    with transaction.atomic():
        row = _row(plan, delivery_id=delivery_id, key=key, status=DeliveryStatus.PENDING, now=now)
        if row.status == DeliveryStatus.SENT:
            raise ValidationError("This delivery was already sent.")
        if row.status == DeliveryStatus.SENDING:
            raise ValidationError("This delivery is being sent right now.")
        if row.channel_kind not in channels.SENDERS:
            raise ValidationError(f"{row.recipient_label} is a named-only channel: post it by hand.")
        if not row.address and row.channel_kind != "status_page":
            raise ValidationError(f"{row.recipient_label or 'The recipient'} has no address to send to.")
        if row.source_kind in OVERDUE_KINDS and now <= row.due_at - overdue_grace():
            # Its text says OVERDUE: sent before the thing is late, it would say something false.
            raise ValidationError(
                f"Not overdue yet: {row.label} becomes late at {plan.local(row.due_at - overdue_grace()):%H:%M %Z}. "
                "Send its reminder instead, or wait."
            )
        if row.attempts == 0 and row.error.startswith(outbox.COMPOSE_FAILED):
            _recompose(plan, row)
        row.status = DeliveryStatus.PENDING
        row.manual = True
        row.attempts = 0
        row.error = ""
        row.claim_token = ""
        row.expires_at = None
        row.next_attempt_at = now
        row.note = f"Send now asked by {by.get_username()}."  # not sent yet: the outbox sends it
        row.save()
        event_record(
            plan,
            kind="comms.send_now",
            actor=by,
            summary=f"Send now: {row.label} → {row.recipient_label}",
            data={"delivery": row.pk},
        )
        pk = row.pk

    def kick() -> None:
        ids, token = outbox.claim(now=timezone.now(), only=pk)
        outbox.dispatch_all(ids, token)

    transaction.on_commit(kick)
    return row


def delivery_skip(plan: Plan, *, by: User, delivery_id: int | None = None, key: Key | None = None) -> Delivery:
    require_coordinator(by, plan)
    now = timezone.now()
    with transaction.atomic():
        row = _row(plan, delivery_id=delivery_id, key=key, status=DeliveryStatus.SKIPPED, now=now)
        if row.status in {DeliveryStatus.SENT, DeliveryStatus.SENDING}:
            raise ValidationError("Too late to skip: it has gone out.")
        row.status = DeliveryStatus.SKIPPED
        row.manual = True
        row.claim_token = ""
        row.note = f"Skipped by {by.get_username()}."
        row.save()
        event_record(
            plan,
            kind="comms.skipped",
            actor=by,
            summary=f"Skipped: {row.label} → {row.recipient_label}",
            data={"delivery": row.pk},
        )
    return row


def delivery_leave_unsent(plan: Plan, *, by: User, delivery_ids: list[int]) -> int:
    """Late sends (too late to matter, not sent) the coordinator decides to leave unsent: skipped, so they
    leave "Needs attention"; one event for them all (a series late for a day is one decision). Returns how
    many; refuses when none of them is late any more (sent or skipped meanwhile)."""
    require_coordinator(by, plan)
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .filter(plan=plan, pk__in=delivery_ids[:500], status=DeliveryStatus.LATE)
            .order_by("due_at", "id")
        )
        if not rows:
            raise ValidationError("Nothing to dismiss: those sends are not late any more (sent or skipped meanwhile).")
        now = timezone.now()
        for row in rows:
            row.status, row.manual, row.claim_token, row.updated_at = DeliveryStatus.SKIPPED, True, "", now
            row.note = f"Late; left unsent by {by.get_username()}."
        Delivery.objects.bulk_update(rows, ["status", "manual", "claim_token", "note", "updated_at"])
        first = rows[0]
        more = f" and {len(rows) - 1} more of its series" if len(rows) > 1 else ""
        event_record(
            plan,
            kind="comms.skipped",
            actor=by,
            summary=f"Left unsent (late): {first.label} → {first.recipient_label}{more}",
            data={"deliveries": [r.pk for r in rows]},
        )
    return len(rows)


def message_approve(message: Message, *, by: User) -> Message:
    """Approve a message that needs it: its waiting sends go out (those still on time), later ones too."""
    plan = message.plan
    require_coordinator(by, plan)
    now = timezone.now()
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if not locked.requires_approval:
            raise ValidationError("This message does not need approval.")
        if locked.approved_at is not None:
            raise ValidationError("This message is already approved.")
        locked.approved_at, locked.approved_by_id = now, by.pk
        locked.save(update_fields=["approved_at", "approved_by"])
        waiting = Delivery.objects.filter(
            source_kind="message", source_id=locked.pk, status=DeliveryStatus.AWAITING_APPROVAL
        )
        waiting.filter(expires_at__lt=now).update(
            status=DeliveryStatus.LATE, note="Approved after it stopped mattering; use Send now.", updated_at=now
        )
        waiting.update(status=DeliveryStatus.PENDING, next_attempt_at=now, updated_at=now)
        event_record(
            plan,
            kind="comms.approved",
            actor=by,
            summary=f"Approved message: {locked.name}",
            data={"message": locked.pk},
        )
    message.refresh_from_db()
    return message


def status_post(plan: Plan, *, by: User, title: str, body: str = "") -> StatusPost:
    """Publish an update on the public status page by hand."""
    require_coordinator(by, plan)
    title = clean_text(title, max_length=300, field="Title")
    body = clean_text(body, max_length=LONG_TEXT_MAX, multiline=True, field="Body")
    if not title:
        raise ValidationError("A status post needs a title.")
    with transaction.atomic():
        post = StatusPost.objects.create(plan=plan, title=title, body=body, published_at=timezone.now())
        event_record(
            plan, kind="comms.status_post", actor=by, summary=f"Status page: {post.title}", data={"post": post.pk}
        )
    return post


def _hand_poster(plan: Plan, by: User) -> Role | None:
    """The communications role (None: the plan has none, the coordinator posts), if ``by`` may post for it."""
    role = comms_role(plan)
    if not can_act_for_role(by, role, plan=plan):
        raise PermissionDenied("Only the communications role's holders, or the coordinator, post by hand.")
    return role


def _hand_send(plan: Plan, message_id: int, due_at: datetime, recipient: str) -> DeliverySpec | None:
    """The send to post by hand that the message makes at that moment to that recipient, if the plan still has it."""
    sends = by_hand_specs(plan, due_at - timedelta(microseconds=1), due_at)  # the sends due at that moment
    return next((s for m, _, s in sends if m.pk == message_id and s.recipient == recipient), None)


def message_mark_posted(plan: Plan, *, by: User, message_id: int, due_at: datetime, recipient: str) -> HandPost:
    """Record that a send to a named-only channel (sources/by_hand.py) was posted by hand: by a holder of the
    communications role (the coordinator's, in a plan without one), from :data:`HAND_POST_EARLY` before it is
    due on. Its reminder, if not sent yet, is not sent. A second mark is refused, saying who marked it."""
    role = _hand_poster(plan, by)
    now = timezone.now()
    if not hand_post_markable(due_at, now):
        raise ValidationError("That post is not due yet; mark it once it is posted, from half an hour before.")
    spec = _hand_send(plan, message_id, due_at, recipient)
    if spec is None:
        raise ValidationError("That post is no longer scheduled (the plan changed); reload the page.")
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a second mark (a double click, two people) fails here
                post = HandPost.objects.create(
                    plan=plan, message_id=message_id, due_at=due_at, recipient=recipient, posted_at=now, posted_by=by
                )
        except IntegrityError:
            earlier = HandPost.objects.select_related("posted_by").get(
                message_id=message_id, due_at=due_at, recipient=recipient
            )
            who, at = person_name(earlier.posted_by) or "someone", timezone.localtime(earlier.posted_at, plan.zone)
            raise ValidationError(f"Already marked posted, by {who} at {at:%H:%M}.") from None
        event_record(
            plan,
            kind="comms.posted_by_hand",
            actor=by,
            role=role,  # the activity log's Role column and filter: the communications role's work
            summary=f"Posted by hand on {spec.recipient_label}: {spec.label}",
            data={"message": message_id, "due_at": due_at.isoformat(), "recipient": recipient},
        )
    return post


def message_unmark_posted(plan: Plan, *, by: User, message_id: int, due_at: datetime, recipient: str) -> None:
    """Undo a mark of :func:`message_mark_posted` made by mistake (the post was not made after all): by the same
    people who may mark. The send is a task again and, if its reminder has not gone yet, the reminder goes; the
    activity log keeps both the mark and its undoing, with who marked it."""
    role = _hand_poster(plan, by)
    with transaction.atomic():
        post = (
            HandPost.objects.select_for_update(of=("self",))
            .select_related("posted_by")
            .filter(plan=plan, message_id=message_id, due_at=due_at, recipient=recipient)
            .first()
        )
        if post is None:  # a double click, or two people: the first undid it
            raise ValidationError("That post is not marked posted (any more); reload the page.")
        who = person_name(post.posted_by) or "someone"
        spec = _hand_send(plan, message_id, due_at, recipient)
        label = f"{spec.recipient_label}: {spec.label}" if spec else recipient  # the plan changed since
        post.delete()
        event_record(
            plan,
            kind="comms.unposted_by_hand",
            actor=by,
            role=role,
            summary=f"Not posted by hand after all on {label} (marked by {who})",
            data={"message": message_id, "due_at": due_at.isoformat(), "recipient": recipient},
        )
