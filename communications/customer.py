"""Customer-facing copy: what an external audience (users, partners, the public status page) is told.

Not the internal report: no progress by phase, no "Behind schedule: 5 tasks", no item or role names, no
series counter. A customer update says, in this order:

1. the **state** in plain words (scheduled for a time, paused, live, rolled back, called off);
2. what users **will notice** (nothing unusual, or, once the launch has reached them, that known problems are
   being fixed);
3. when the **next update** comes (for a recurring series), and where to follow the launch.

The moment it was posted is the status post's own ``published_at`` (shown beside it on the status page,
and in an email's Date header): the text carries no clock time of its own that could disagree with it.

A message body that is a *planning note* (one short line with no template and no full stop, such as
"Email to all users about upcoming launch", as the plan files write them) is never sent to an external
audience as it stands: the customer copy goes instead.
"""

from __future__ import annotations

from datetime import datetime

from launchcontrol.dates import long_moment_text
from plans.models import Plan, PlanStatus

__all__ = ["customer_copy", "customer_headline", "is_planning_note"]


def _long(plan: Plan, moment: datetime) -> str:
    return long_moment_text(plan.local(moment))


def customer_headline(plan: Plan, *, now: datetime) -> str:
    """The state as a short title: ``scheduled for Tuesday 01 December 2026 at 12:00 GMT``, ``live``…"""
    status = plan.status
    if status == PlanStatus.HOLD:
        return "paused"
    if status in {PlanStatus.LAUNCHED, PlanStatus.STABILIZING}:
        return "live"
    if status in {PlanStatus.COMPLETED, PlanStatus.CLOSED}:
        return "complete"
    if status == PlanStatus.ROLLED_BACK:
        return "rolled back"
    if status == PlanStatus.ABORTED:
        return "called off"
    if plan.clockless:  # its stored T-0 is only when it was made: never shown
        return "in preparation"
    if now >= plan.t0:
        return "starting"
    return f"scheduled for {_long(plan, plan.t0)}"


def _state_line(plan: Plan, *, now: datetime) -> str:
    name, status = plan.name, plan.status
    if status == PlanStatus.HOLD:
        return f"The launch of {name} is paused while the team checks something. A new time will follow."
    if status in {PlanStatus.LAUNCHED, PlanStatus.STABILIZING}:
        since = "" if plan.clockless else f" since {_long(plan, plan.t0)}"
        return f"{name} is live{since}. The team is watching it closely."
    if status in {PlanStatus.COMPLETED, PlanStatus.CLOSED}:
        return f"{name} is live and the launch is complete."
    if status == PlanStatus.ROLLED_BACK:
        return f"The launch of {name} was rolled back: the previous version is in service again."
    if status == PlanStatus.ABORTED:
        return f"The launch of {name} has been called off."
    if plan.clockless:
        return f"The launch of {name} is being prepared."
    if now >= plan.t0:
        return f"The launch of {name} is starting now."
    return f"{name} is scheduled to go live on {_long(plan, plan.t0)}."


def _serious_open_issues(plan: Plan) -> int:
    from issues.models import UNRESOLVED, Issue, Severity

    if not plan.pk:
        return 0
    return Issue.objects.filter(
        plan=plan,
        status__in=UNRESOLVED,
        severity__in=[Severity.CRITICAL, Severity.HIGH],
    ).count()


def _notice_line(plan: Plan, *, now: datetime) -> str:
    """What users will notice. Before the launch reaches them (scheduled, counting down, paused) they are on
    what they had: an issue the team is fixing in the new system is nothing they can notice (the status page's
    banner says "All Systems Operational" beside it), so it is not told; once live, a critical or high one is."""
    status = plan.status
    if status == PlanStatus.ABORTED:
        return "What you will notice: nothing; everything stays as it is."
    if status == PlanStatus.ROLLED_BACK:
        return "What you will notice: everything works as it did before the launch."
    ended = status in {PlanStatus.COMPLETED, PlanStatus.CLOSED}
    live = ended or status in {PlanStatus.LAUNCHED, PlanStatus.STABILIZING}
    starting = status != PlanStatus.HOLD and not plan.clockless and now >= plan.t0
    if not (live or starting):
        return "What you will notice: nothing changes for you yet."
    serious = _serious_open_issues(plan)
    if serious:
        problems = "a known problem" if serious == 1 else f"{serious} known problems"
        return f"What you may notice: some things may not work as expected while we fix {problems}."
    return "What you will notice: everything should work as usual."


def customer_copy(plan: Plan, *, now: datetime, next_update: datetime | None = None, status_url: str = "") -> str:
    """The body of a customer update at ``now``: state, what users will notice, the next update."""
    lines = [_state_line(plan, now=now), "", _notice_line(plan, now=now)]
    if next_update is not None:
        lines += ["", f"Next update: {_long(plan, next_update)}."]
    if status_url:
        lines += ["", f"Follow the launch: {status_url}"]
    return "\n".join(lines)


def is_planning_note(text: str) -> bool:
    """A one-line note of what a message is for ("Email to all users about upcoming launch"), not copy."""
    text = (text or "").strip()
    if not text or "\n" in text or "{" in text or len(text) > 120:
        return False
    return text[-1] not in ".!?:"
