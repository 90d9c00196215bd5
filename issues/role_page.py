"""The issues a role owns, at the top of its page (plans.panels.register_role_section): a DBA working their
checklist sees the replication issue raised against their role, its response SLA counting down, and
acknowledges it there. The page of unowned work shows the issues with no owner role (the coordinator's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plans.models import Plan
from roles.permissions import can_act_for_role

from .selectors import IssueRow, open_issues


@dataclass(frozen=True)
class RoleIssues:
    rows: list[IssueRow]
    can_handle: bool  # the viewer may acknowledge them (the role's primary, backup, or the coordinator)


def role_issues(plan: Plan, role: Any, user: Any, now: datetime) -> RoleIssues | None:
    """The role's unresolved issues, most severe first (one query); None when it has none."""
    owned = {"owner_role__isnull": True} if role.pk is None else {"owner_role_id": role.pk}
    issues = list(open_issues(plan).filter(**owned))
    if not issues:
        return None
    rows = [IssueRow(i, None, i.response_remaining(now)) for i in issues]
    mine = can_act_for_role(user, None if role.pk is None else role, plan=plan)
    return RoleIssues(rows, mine)
