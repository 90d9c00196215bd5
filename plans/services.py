"""Every write to a plan goes through a function here (or in another app's services.py).

Each one checks permission, writes inside ``transaction.atomic()``, records an :class:`Event` and
bumps the plan's ``revision`` in the same transaction (Zulip's ``do_*`` actions; HackSoft's
services).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import DecimalField, F
from django.utils import timezone

from launchcontrol.dates import moment_text

from .closing import EARLY_MARGIN, is_ended, require_open
from .early import plan_early, reach
from .guards import launch_blockers
from .metrics import AUTO_REASON, TriggerState, can_record, check_reading_sign, readings_for_window, trigger_state
from .models import (
    Event,
    Hold,
    KioskLink,
    MetricReading,
    Plan,
    PlanStatus,
    RollbackTrigger,
    SuccessMetric,
    is_news,
    link_days,
)
from .numbers import format_quantity
from .offsets import format_duration
from .permissions import require_coordinator
from .signals import announce_revision
from .timing import offsets_between, pin_before
from .validators import check_number, check_t0, clean_text, reading_text

#: Reasons typed for a transition, a hold or a re-baseline.
REASON_MAX = 2000

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from roles.models import Role


#: A revocable link row (KioskLink, communications' CalendarFeed): see :func:`link_revoke`.
LinkT = TypeVar("LinkT", bound=models.Model)


class NotInTransaction(RuntimeError):
    """A service wrote an event outside ``transaction.atomic()``: a programming error, never user input."""


class TransitionError(ValidationError):
    """A launch state change that is not allowed from the current state."""


#: Events that change only what shows readings (the board, the metrics page, the activity log): a monitoring push
#: records one every few seconds. An alarm a reading raises, or a run's end, is an event of its own.
READINGS_ONLY = frozenset({"metric.reading"})


def event_record(
    plan: Plan,
    *,
    kind: str,
    summary: str,
    actor: User | None = None,
    role: Role | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Bump the plan's revision and log the event. Call inside the writer's transaction. Any change but a
    metric reading (:data:`READINGS_ONLY`) moves ``content_revision`` with it (``Plan.content_revision``)."""
    if not transaction.get_connection().in_atomic_block:
        # Not an assert: `python -O` strips those, and an event without its write is a lie in the log.
        raise NotInTransaction("event_record() must run inside transaction.atomic(), with the write it records")
    bump: dict[str, Any] = {"revision": F("revision") + 1, "updated_at": timezone.now()}
    if kind not in READINGS_ONLY:
        bump["content_revision"] = F("revision") + 1
    Plan.objects.filter(pk=plan.pk).update(**bump)
    revision, content, status = Plan.objects.values_list("revision", "content_revision", "status").get(pk=plan.pk)
    require_open(status, kind, data)  # a closed launch's day is read-only (plans.closing): rolls the write back
    plan.revision, plan.content_revision = revision, content
    # The open pages learn of it after the commit (the push channel, ``live``): never a revision a reader
    # cannot see yet, never one that was rolled back.
    transaction.on_commit(partial(announce_revision, plan.pk, revision), robust=True)
    return Event.objects.create(
        plan=plan,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        role=role,
        summary=summary[:500],
        data=data or {},
        revision=revision,
        news=is_news(kind, data),
    )


def plan_lock(plan: Plan | int) -> Plan:
    """Re-read the plan under a row lock (Postgres) so concurrent state changes serialise."""
    pk = plan.pk if isinstance(plan, Plan) else plan
    return Plan.objects.select_for_update().get(pk=pk)


# --- The launch's state machine ----------------------------------------------------------------------

LIVE_STATES = {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN, PlanStatus.HOLD, PlanStatus.LAUNCHED, PlanStatus.STABILIZING}
TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.DRAFT: {PlanStatus.SCHEDULED, PlanStatus.ABORTED},
    PlanStatus.SCHEDULED: {PlanStatus.COUNTDOWN, PlanStatus.DRAFT},
    PlanStatus.COUNTDOWN: {PlanStatus.LAUNCHED},
    PlanStatus.HOLD: set(),  # left only by ending the hold (hold_end), or by abort/rollback
    PlanStatus.LAUNCHED: {PlanStatus.STABILIZING},
    PlanStatus.STABILIZING: {PlanStatus.COMPLETED},
    PlanStatus.COMPLETED: set(),
    PlanStatus.ROLLED_BACK: set(),
    PlanStatus.ABORTED: set(),
}
for _state in LIVE_STATES:
    TRANSITIONS[_state] |= {PlanStatus.ROLLED_BACK, PlanStatus.ABORTED}


def plan_allowed_transitions(plan: Plan) -> list[str]:
    return [s for s in PlanStatus.values if s in TRANSITIONS.get(plan.status, set())]


def plan_transition(
    plan: Plan, *, to: str, by: User, reason: str = "", checked: bool = False, override: str = ""
) -> Plan:
    """Move the launch to state ``to``. Holds have their own functions (they move T-0). ``checked=True``:
    the caller has checked the right already (a rollout's authority rolling the launch back). A gate that
    says no refuses the launch unless ``override`` gives the reason (plans.guards)."""
    if not checked:
        require_coordinator(by, plan)
    reason = clean_text(reason, max_length=REASON_MAX, multiline=True, field="Reason")
    if to == PlanStatus.HOLD:
        raise TransitionError("Use a hold to stop the countdown: it needs a reason and moves T-0 when it ends.")
    with transaction.atomic():
        locked = plan_lock(plan)
        if to not in TRANSITIONS.get(locked.status, set()):
            raise TransitionError(f"The launch cannot go from {locked.get_status_display()} to {PlanStatus(to).label}.")
        if to in {PlanStatus.ROLLED_BACK, PlanStatus.ABORTED} and not reason.strip():
            raise TransitionError(f"Say why the launch is {PlanStatus(to).label.lower()}.")
        if to == PlanStatus.LAUNCHED:
            _guarded(locked, by=by, override=override, what="launch")
        previous = locked.status
        if previous == PlanStatus.HOLD:
            _close_open_hold(locked, by=by, slip=False)
        summary = f"Launch {PlanStatus(previous).label} → {PlanStatus(to).label}" + (f": {reason}" if reason else "")
        plan_state_record(locked, to=to, by=by, summary=summary, reason=reason)
    plan.refresh_from_db()
    return plan


#: The re-baseline's reason when the launch moves T-0 to the moment it launched.
EARLY_REASON = "launched early"
#: The hold a launch after T-0 records from T-0 to the launch, when it slips T-0 to the launch (``plan_launch``).
LATE_REASON = "Launched late: T-0 passed before the launch"


def plan_launch(plan: Plan, *, by: User, override: str = "", move_t0: bool = False) -> Plan:
    """Launch (``plan_transition`` to *launched*). ``move_t0``: when the launch comes more than
    ``EARLY_MARGIN`` before T-0, T-0 moves to now in the same transaction (``plan_rebaseline``, reason
    "launched early"), so the clock counts from the launch and what was planned after it comes sooner. What
    was planned before the launch stays where it was (``pin_before``): work done on time before an early
    launch stays on time (it all read as late, and the review said 0 % of the steps on time). The plan keeps
    what the launch pinned (``Plan.early_launch``), so offsets read as planned (``plans.early``); to keep
    them apart, T-0 may go a second or more before now. When it comes more than ``EARLY_MARGIN`` after T-0,
    T-0 slips to the launch instead (:func:`_slip_to_late_launch`)."""
    with transaction.atomic():
        plan_transition(plan, to=PlanStatus.LAUNCHED, by=by, override=override)
        now = timezone.now().replace(microsecond=0)
        if move_t0 and plan.t0 - now > EARLY_MARGIN:
            early = plan_early(plan.t0, now, offsets_between(plan.pk, *reach(plan.t0, now)))
            pin_before(plan.pk, plan.t0, early.at, early.at - plan.t0)
            Plan.objects.filter(pk=plan.pk).update(early_launch=early.record())
            plan_rebaseline(plan, new_t0=early.at, by=by, reason=EARLY_REASON)
        elif move_t0 and now - plan.t0 > EARLY_MARGIN:
            _slip_to_late_launch(plan, by=by, now=now)
    return plan


def _slip_to_late_launch(plan: Plan, *, by: User, now: datetime) -> Hold:
    """A launch after T-0: T-0 slips to the launch, and everything planned after T-0 with it, as a hold from T-0
    to the launch would have slipped them; it is recorded as that hold (``LATE_REASON``), so the plan's holds,
    the "slipped by" figure, the offsets as planned (``plans.slips``) and the review's hold time count it. What
    was planned before T-0 stays where it was. Without it, everything planned after T-0 (the smoke tests at
    T+15m, the first status update) was late the moment the launch began, and its reminders went as overdue."""
    locked = plan_lock(plan)
    length = now - locked.t0
    hold = Hold.objects.create(
        plan=locked, reason=LATE_REASON, started_at=locked.t0, started_by=by, ended_at=now, ended_by=by,
        resume_status=PlanStatus.COUNTDOWN, slip=length,
    )  # fmt: skip
    _slip_after(locked, hold.started_at, length)
    locked.save(update_fields=["t0", "updated_at"])  # the outbox makes what is not sent again at the new times
    event_record(
        locked,
        kind="plan.launched_late",
        actor=by,
        summary=f"Launched {format_duration(length)} after T-0: T-0 slips to "
        + moment_text(timezone.localtime(now, locked.zone))
        + ", and every time planned after it with it",
        data={"hold": hold.pk, "slip_seconds": length.total_seconds()},
    )
    plan.refresh_from_db()
    return hold


def plan_state_record(locked: Plan, *, to: str, by: User | None, summary: str, reason: str) -> None:
    """Write a launch's new state and its ``plan.state`` event (from, to, reason), on a plan locked by the
    caller's transaction (``plan_lock``) whose rules the caller has checked: the transitions above, the
    handoff closing the launch and reopening it (``review.services``). The event is written while the launch
    is open (a closed launch refuses launch-day events: ``plans.closing``), so before closing it, after the rest."""
    previous = locked.status

    def record() -> None:
        data = {"from": previous, "to": to, "reason": reason}
        event_record(locked, kind="plan.state", actor=by, summary=summary, data=data)

    if to == PlanStatus.CLOSED:
        record()
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    if to != PlanStatus.CLOSED:
        record()


# --- Holds -------------------------------------------------------------------------------------------


def _guarded(locked: Plan, *, by: User, override: str, what: str, hold_id: int | None = None) -> None:
    """Refuse to ``what`` while a gate guarding the launch says no (plans.guards), unless ``override`` says
    why: then the override is recorded with the gates it went past."""
    blockers = launch_blockers(locked, hold_id=hold_id)
    if not blockers:
        return
    override = clean_text(override, max_length=REASON_MAX, multiline=True, field="Override reason")
    if not override:
        raise TransitionError(" ".join(blockers) + f" To {what} anyway, give the reason for overriding the gate.")
    summary = f"Gate overridden to {what}: {override} ({' '.join(blockers)})"
    data = {"action": what, "blockers": blockers, "reason": override}
    event_record(locked, kind="gate.overridden", actor=by, summary=summary, data=data)


def hold_start(
    plan: Plan, *, by: User | None, reason: str, system: bool = False, cause: dict[str, Any] | None = None
) -> Hold:
    """Stop the countdown. ``system=True`` is for a NO-GO decision (already permission-checked), whose
    ``cause`` (``{"gate": id}``) goes into the event, so that gate's guard knows its hold (plans.guards)."""
    if not system:
        require_coordinator(by, plan)
    # a NO-GO's hold reason is the gate's name and the decision's reason, each already bounded
    reason = clean_text(reason, max_length=2 * REASON_MAX if system else REASON_MAX, multiline=True, field="Reason")
    if not reason.strip():
        raise TransitionError("A hold needs a reason.")
    with transaction.atomic():
        locked = plan_lock(plan)
        if locked.status not in {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN}:
            raise TransitionError(f"A hold stops a countdown; the launch is {locked.get_status_display().lower()}.")
        now = timezone.now()
        hold = Hold.objects.create(
            plan=locked, reason=reason.strip(), started_at=now, started_by=by, resume_status=locked.status
        )
        locked.status = PlanStatus.HOLD
        locked.save(update_fields=["status", "updated_at"])
        data = {"hold": hold.pk, **(cause or {})}
        event_record(locked, kind="hold.started", actor=by, summary=f"HOLD: {reason.strip()}", data=data)
    plan.refresh_from_db()
    return hold


def _close_open_hold(locked: Plan, *, by: User | None, slip: bool) -> Hold | None:
    hold = Hold.objects.filter(plan=locked, ended_at__isnull=True).first()
    if hold is None:
        return None
    now = timezone.now()
    length = now - hold.started_at
    hold.ended_at = now
    hold.ended_by = by
    if slip and length > timedelta(0):
        _slip_after(locked, hold.started_at, length)
        hold.slip = length
    else:
        hold.slip = timedelta(0)
    hold.save(update_fields=["ended_at", "ended_by", "slip"])
    return hold


def _slip_after(locked: Plan, started_at: datetime, length: timedelta) -> None:
    """T-0 slips by ``length``, and with it what lay after ``started_at`` (a hold's start, or T-0 for a late
    launch); what was planned before it stays put (``pin_before``). The caller saves ``t0``."""
    pin_before(locked.pk, locked.t0, started_at, length)
    locked.t0 = locked.t0 + length


def hold_end(plan: Plan, *, by: User, override: str = "") -> Hold:
    """Resume the countdown: T-0 and every time after the hold's start slip by the hold's length. A NO-GO's
    hold stays while its gate says NO-GO, unless ``override`` gives the reason (plans.guards)."""
    require_coordinator(by, plan)
    with transaction.atomic():
        locked = plan_lock(plan)
        if locked.status != PlanStatus.HOLD:
            raise TransitionError("There is no hold to end.")
        open_id = Hold.objects.filter(plan=locked, ended_at__isnull=True).values_list("pk", flat=True).first()
        if open_id is not None:
            _guarded(locked, by=by, override=override, what="end the hold", hold_id=open_id)
        hold = _close_open_hold(locked, by=by, slip=True)
        if hold is None:
            raise TransitionError("The plan is on hold but has no open hold to end; roll it back or abort it.")
        locked.status = hold.resume_status
        locked.save(update_fields=["status", "t0", "updated_at"])
        event_record(
            locked,
            kind="hold.ended",
            actor=by,
            summary=f"Hold ended after {format_duration(hold.slip or timedelta(0))}; T-0 slips to "
            + moment_text(timezone.localtime(locked.t0, locked.zone)),
            data={"hold": hold.pk, "slip_seconds": (hold.slip or timedelta(0)).total_seconds()},
        )
    plan.refresh_from_db()
    return hold


# --- Re-baselining: moving T-0 on purpose --------------------------------------------------------------


def plan_rebaseline(plan: Plan, *, new_t0: datetime, by: User | None, reason: str = "", check: bool = True) -> Plan:
    """Move T-0; every planned time moves with it (they are offsets). ``check=False`` is for the admin
    and the importer, which have already checked the user."""
    if check:
        require_coordinator(by, plan)
    if timezone.is_naive(new_t0):
        raise ValidationError("T-0 must be an aware datetime.")
    check_t0(new_t0)
    reason = clean_text(reason, max_length=REASON_MAX, multiline=True, field="Reason")
    with transaction.atomic():
        locked = plan_lock(plan)
        if is_ended(locked.status):  # its clock has stopped: nothing of it is planned any more
            raise TransitionError(f"The launch is {locked.get_status_display().lower()}: its T-0 no longer moves.")
        old = locked.t0
        if new_t0 == old:
            return locked
        locked.t0 = new_t0
        locked.save(update_fields=["t0", "updated_at"])
        delta = new_t0 - old
        event_record(
            locked,
            kind="plan.rebaselined",
            actor=by,
            summary=f"T-0 moved by {'+' if delta >= timedelta(0) else '-'}{format_duration(delta)} to "
            + moment_text(timezone.localtime(new_t0, locked.zone), year=True)
            + (f": {reason}" if reason else ""),
            data={"from": old.isoformat(), "to": new_t0.isoformat(), "reason": reason},
        )
    plan.refresh_from_db()
    return plan


def plan_reschedule(plan: Plan) -> int:
    """Re-plan the steps placed ``after`` others; how many moved. Call in the writer's transaction."""
    from .models import Step
    from .schedule import rescheduled_steps

    moved = rescheduled_steps(plan)
    Step.objects.bulk_update(moved, ["offset"])
    return len(moved)


# --- Who coordinates the plan ----------------------------------------------------------------------------


def plan_set_coordinator(plan: Plan, *, by: User | None, coordinator: User | None) -> Plan:
    """Hand the plan to another coordinator (or to none). Coordinating a plan is what scopes a staff
    user's admin to it, so this is a superuser's act, and it is recorded."""
    if by is None or not by.is_authenticated or not by.is_active or not by.is_superuser:
        raise PermissionDenied("Only a superuser may change a plan's coordinator.")
    if coordinator is not None and not coordinator.is_active:
        raise ValidationError("The new coordinator's account is inactive.")
    with transaction.atomic():
        locked = plan_lock(plan)
        old = locked.coordinator
        new_id = coordinator.pk if coordinator is not None else None
        if locked.coordinator_id == new_id:
            return locked
        locked.coordinator = coordinator
        locked.save(update_fields=["coordinator", "updated_at"])

        def who(user: User | None) -> str:
            return (user.get_full_name() or user.get_username()) if user is not None else "nobody"

        event_record(
            locked,
            kind="plan.coordinator_changed",
            actor=by,
            summary=f"Coordinator changed from {who(old)} to {who(coordinator)}",
            data={"from": old.pk if old is not None else None, "to": new_id},
        )
    plan.refresh_from_db()
    return plan


# --- Metrics: readings and rollback triggers ----------------------------------------------------------


def reading_record(
    metric: SuccessMetric, *, value: Decimal | float | str, by: User, at: datetime | None = None
) -> MetricReading:
    """Record a metric reading, then judge the metric's rollback triggers: one whose crossing has
    lasted its ``sustained_for`` is raised (an alarm on the board and an event); an automatically
    raised one clears when a reading comes back inside its threshold."""
    plan = metric.plan
    if not can_record(by, plan):
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may record readings.")
    column = MetricReading._meta.get_field("value")
    assert isinstance(column, DecimalField)
    if isinstance(value, str):
        value = reading_text(value, unit=metric.unit, metric=metric.name)
    amount = check_number(value, max_digits=column.max_digits or 14, decimal_places=column.decimal_places or 0)
    check_reading_sign(metric, amount)
    now = timezone.now()
    with transaction.atomic():
        reading = MetricReading.objects.create(metric=metric, value=amount, recorded_at=at or now, recorded_by=by)
        verdict = metric.meets(float(amount))
        event_record(
            plan,
            kind="metric.reading",
            actor=by,
            summary=f"{metric.name}: {format_quantity(amount, metric.unit)}"
            + ("" if verdict is None else (" (on target)" if verdict else " (OFF TARGET)")),
            data={"metric": metric.pk, "value": str(amount), "meets": verdict},
        )
        triggers_evaluate(metric, now=now)
    return reading


def reading_run_end(metric: SuccessMetric, *, by: User, reason: str, at: datetime | None = None) -> None:
    """A monitoring source says the condition behind a metric's readings ended (an Alertmanager or Grafana
    alert resolved) without a measurement of that moment: the run of crossing readings ends there, so its last
    value cannot keep a rollback trigger's clock running (a firing of 1,500 ms, resolved two minutes later,
    raised "above 1,000 ms for 5 minutes" three minutes after the resolve). An automatic alarm clears."""
    if not can_record(by, metric.plan):
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may record readings.")
    now = timezone.now()
    with transaction.atomic():
        locked = SuccessMetric.objects.select_for_update().get(pk=metric.pk)
        moment = min(at or now, now)
        if locked.run_ended_at is None or locked.run_ended_at < moment:
            locked.run_ended_at = moment
            locked.save(update_fields=["run_ended_at"])
        metric.run_ended_at = locked.run_ended_at
        event_record(
            metric.plan,
            kind="metric.run_ended",
            actor=by,
            summary=f"{metric.name}: {reason}",
            data={"metric": metric.pk, "at": moment.isoformat()},
        )
        triggers_evaluate(metric, now=now)


def triggers_evaluate(
    metric: SuccessMetric, *, now: datetime | None = None, cleared: str = "back within threshold"
) -> list[TriggerState]:
    """Raise or clear the metric's rollback triggers from its readings. Call inside a transaction. ``cleared``
    says why an automatic alarm clears (the log's and the clear message's words)."""
    now = now or timezone.now()
    triggers = list(RollbackTrigger.objects.select_for_update().filter(metric=metric))
    if not triggers:
        return []
    longest = max((t.sustained_for or timedelta(0) for t in triggers), default=timedelta(0))
    readings = readings_for_window(metric, now=now, window=longest)
    states = []
    for trigger in triggers:
        state = trigger_state(trigger, readings, now=now)
        states.append(state)
        auto = trigger.raised_at is not None and trigger.raised_reason.startswith(AUTO_REASON)
        if state.in_breach and trigger.raised_at is None:
            trigger.raised_at = now
            trigger.raised_by = None
            threshold = format_quantity(trigger.threshold, metric.unit)
            trigger.raised_reason = f"{AUTO_REASON}{metric.name} {trigger.comparator} {threshold}"
            if trigger.sustained_for:
                trigger.raised_reason += f" for {trigger.sustained_for}"
            trigger.save(update_fields=["raised_at", "raised_by", "raised_reason"])
            event_record(
                metric.plan,
                kind="rollback.breach",
                summary=f"ROLLBACK TRIGGER IN BREACH: {trigger.description}",
                data={"trigger": trigger.pk, "metric": metric.pk},
            )
        elif auto and not state.breaching:
            trigger.raised_at, trigger.raised_reason = None, ""
            trigger.save(update_fields=["raised_at", "raised_reason"])
            event_record(
                metric.plan,
                kind="rollback.cleared",
                summary=f"Rollback trigger {cleared}: {trigger.description}",
                data={"trigger": trigger.pk, "metric": metric.pk},
            )
    return states


# --- Kiosk links ---------------------------------------------------------------------------------------


def kiosk_create(plan: Plan, *, by: User, label: str, days: int | str | None = None) -> KioskLink:
    require_coordinator(by, plan)
    label = clean_text(label, max_length=KioskLink._meta.get_field("label").max_length or 120, field="Label")
    if not label:
        raise ValidationError("Name the screen this link is for (e.g. “War room TV 1”).")
    lifetime = link_days(days)
    now = timezone.now()
    with transaction.atomic():
        link = KioskLink.objects.create(
            plan=plan, label=label, created_by=by, created_at=now, expires_at=now + timedelta(days=lifetime)
        )
        event_record(
            plan,
            kind="kiosk.created",
            actor=by,
            summary=f"Kiosk link created: {link.label} (expires in {lifetime} days)",
            data={"link": link.pk, "days": lifetime},
        )
    return link


def kiosk_revoke(link: KioskLink, *, by: User) -> KioskLink:
    require_coordinator(by, link.plan)
    return link_revoke(
        link,
        plan=link.plan,
        by=by,
        kind="kiosk.revoked",
        summary=f"Kiosk link revoked: {link.label}",
        data={"link": link.pk},
    )


def link_revoke(
    link: LinkT,
    *,
    plan: Plan,
    by: User,
    kind: str,
    summary: str,
    data: dict[str, Any],
    role: Role | None = None,
) -> LinkT:
    """Revoke a link that opens a plan without signing in (a kiosk link, a calendar feed: a row with
    ``revoked_at``): lock the row, stamp it and record the event, once; revoking a revoked link changes
    nothing. The caller has checked who may revoke it. Returns ``link`` with its ``revoked_at`` updated."""
    with transaction.atomic():
        locked: Any = type(link)._default_manager.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            event_record(plan, kind=kind, actor=by, role=role, summary=summary, data=data)
    setattr(link, "revoked_at", locked.revoked_at)  # noqa: B010  (LinkT is any model with the field)
    return link
