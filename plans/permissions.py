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
    token_plan = getattr(user, "token_plan_id", None)
    if token_plan is not None:
        # An API token's service identity (api.auth sets this on the in-memory user of one request, after
        # checking the token): the coordinator's rights on the token's plan, and nothing elsewhere.
        return bool(token_plan == plan.pk)
    return bool(getattr(user, "is_superuser", False) or plan.coordinator_id == user.pk)


def require_coordinator(user: Viewer | None, plan: Plan) -> None:
    if not can_coordinate(user, plan):
        raise PermissionDenied("Only the plan's coordinator may do this.")
