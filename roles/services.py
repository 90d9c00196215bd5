"""Writes to roles: who holds them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from plans.permissions import require_coordinator
from plans.services import event_record, plan_lock

from .models import Role
from .people import people

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

#: role pk -> (primary, backup); None leaves that place empty.
Assignments = Mapping[int, tuple["User | None", "User | None"]]


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "nobody"


def role_assign_people(plan: Plan, *, by: User, assignments: Assignments) -> list[Role]:
    """Set the primary and the backup of many of ``plan``'s roles at once (the coordinator's "Assign people"
    screen). Only the plan's coordinator (or a superuser) may; every role must be the plan's, every person
    an active account (a deactivated one may stay where they already are: the screen keeps them), and nobody
    both primary and backup of one role. One transaction, one event naming each change; returns the roles
    that changed (none: no event)."""
    require_coordinator(by, plan)
    now = Role.objects.filter(plan=plan, pk__in=list(assignments)).values_list("pk", "primary_id", "backup_id")
    held = {pk: places for pk, *places in now}
    for pk, (primary, backup) in assignments.items():
        for place, person in enumerate((primary, backup)):
            # a deactivated holder left where they are is no new choice (the screen keeps them, marked)
            kept = person is not None and held.get(pk, (None, None))[place] == person.pk
            if person is not None and not person.is_active and not kept:
                raise ValidationError(f"{_who(person)}'s account is inactive: choose an active user.")
            if person is not None and person.is_active and not people().filter(pk=person.pk).exists():
                raise ValidationError(f"{_who(person)} is an API token, not a person: choose a person.")
        if primary is not None and primary == backup:
            raise ValidationError(f"{_who(primary)} cannot be both primary and backup of one role.")
    with transaction.atomic():
        locked = plan_lock(plan)
        roles = {r.pk: r for r in Role.objects.select_for_update().filter(plan=locked, pk__in=list(assignments))}
        if len(roles) != len(assignments):
            raise ValidationError("A role that is not this plan's was named.")
        changed: list[Role] = []
        lines: list[str] = []
        for pk, (primary, backup) in assignments.items():
            role = roles[pk]
            new = (primary.pk if primary else None, backup.pk if backup else None)
            if (role.primary_id, role.backup_id) == new:
                continue
            role.primary, role.backup = primary, backup
            role.save(update_fields=["primary", "backup"])
            changed.append(role)
            lines.append(f"{role.name}: {_who(primary)} (backup {_who(backup)})")
        if changed:
            event_record(
                locked,
                kind="roles.assigned",
                actor=by,
                summary=f"People assigned to {len(changed)} role{'s' if len(changed) != 1 else ''}: "
                + "; ".join(lines),
                data={"roles": {r.pk: [r.primary_id, r.backup_id] for r in changed}},
            )
    plan.revision = locked.revision
    return changed
