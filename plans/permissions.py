"""Who may do what. Checked in the service layer; templates only hide what would be refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Plan

    User = AbstractBaseUser | AnonymousUser


def can_view(user: User | None, plan: Plan) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_coordinate(user: User | None, plan: Plan) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(getattr(user, "is_superuser", False) or plan.coordinator_id == user.pk)


def require_coordinator(user: User | None, plan: Plan) -> None:
    if not can_coordinate(user, plan):
        raise PermissionDenied("Only the plan's coordinator may do this.")
