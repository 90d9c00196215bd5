"""Periodic escalation: store the rung each unanswered issue has reached, so the activity log and the
board record the climb even when nobody has a page open. Notifications go through the outbox
(communications.sources.issue_escalations)."""

from __future__ import annotations

from celery import shared_task

from plans.models import Plan
from plans.validators import T0_MAX, T0_MIN

from .models import IssueStatus
from .services import issues_escalate


@shared_task(name="issues.tasks.escalate_open_issues", ignore_result=True)
def escalate_open_issues() -> int:
    climbed = 0
    # A plan with T-0 outside the supported range (old data) is left out: its times cannot be computed.
    plans = Plan.objects.filter(issues__status=IssueStatus.OPEN, t0__gte=T0_MIN, t0__lt=T0_MAX).distinct()
    for plan in plans:
        climbed += len(issues_escalate(plan))
    return climbed
