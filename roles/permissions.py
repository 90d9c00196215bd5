from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from plans.permissions import can_coordinate

if TYPE_CHECKING:
    from plans.models import Plan
    from plans.permissions import Viewer

    from .models import Role


def can_act_for_role(user: Viewer | None, role: Role | None, *, plan: Plan | None = None) -> bool:
    """The role's primary and backup, and the plan's coordinator, may write for a role. Something
    with no role (``role=None``, pass its ``plan``) belongs to the coordinator alone."""
    if role is None:
        return plan is not None and can_coordinate(user, plan)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.pk in (role.primary_id, role.backup_id) or can_coordinate(user, role.plan)


def acting_rank(user: Viewer | None, role: Role) -> int:
    """In what capacity the user acts for a role, as a sort key: 0 its primary, 1 its backup, 2 anyone else
    (the plan's coordinator). The gate page lists the viewer's own votes first, then those they back up."""
    pk = getattr(user, "pk", None)
    return 0 if pk is not None and pk == role.primary_id else 1 if pk is not None and pk == role.backup_id else 2


def require_role(user: Viewer | None, role: Role | None, *, plan: Plan | None = None) -> None:
    if not can_act_for_role(user, role, plan=plan):
        if role is None:
            raise PermissionDenied("This has no owner role: only the plan's coordinator may do this.")
        raise PermissionDenied(f"Only the {role.name}'s primary or backup, or the coordinator, may do this.")


def holds_any_role(user: Viewer | None, plan_id: int) -> bool:
    from .models import Role

    if user is None or not user.is_authenticated:
        return False
    from django.db.models import Q

    return Role.objects.filter(Q(primary=user) | Q(backup=user), plan_id=plan_id).exists()
