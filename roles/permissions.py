from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from plans.permissions import can_coordinate

if TYPE_CHECKING:
    from plans.permissions import User

    from .models import Role


def can_act_for_role(user: User | None, role: Role | None) -> bool:
    """The role's primary and backup, and the plan's coordinator, may write for a role."""
    if user is None or not user.is_authenticated or not user.is_active or role is None:
        return can_coordinate(user, role.plan) if role is not None else False
    return user.pk in (role.primary_id, role.backup_id) or can_coordinate(user, role.plan)


def require_role(user: User | None, role: Role | None) -> None:
    if role is None:
        raise PermissionDenied("Only the plan's coordinator may do this.")
    if not can_act_for_role(user, role):
        raise PermissionDenied(f"Only the {role.name}'s primary or backup, or the coordinator, may do this.")


def holds_any_role(user: User | None, plan_id: int) -> bool:
    from .models import Role

    if user is None or not user.is_authenticated:
        return False
    from django.db.models import Q

    return Role.objects.filter(Q(primary=user) | Q(backup=user), plan_id=plan_id).exists()
