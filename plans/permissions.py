"""Who may do what. Checked in the service layer; templates only hide what would be refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import Plan

    # Whoever is looking: a signed-in user, or the anonymous user of a public page.
    Viewer = User | AnonymousUser


def can_view(user: Viewer | None, plan: Plan) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_coordinate(user: Viewer | None, plan: Plan) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(getattr(user, "is_superuser", False) or plan.coordinator_id == user.pk)


def require_coordinator(user: Viewer | None, plan: Plan) -> None:
    if not can_coordinate(user, plan):
        raise PermissionDenied("Only the plan's coordinator may do this.")
