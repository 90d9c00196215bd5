"""The people a role can be given: active accounts, not the service identities behind API tokens.

An API token acts as a user of its own (``api.ApiToken.identity``, named ``api-token-…``) so that the
activity log names it; it is not a person and must not be offered as a role's primary, backup or shift
holder. The reverse relation is matched by name, so this module needs no import of the ``api`` app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def people(queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """Active accounts that are people (``queryset`` narrowed, or every account)."""
    base = queryset if queryset is not None else get_user_model()._default_manager.all()
    return base.filter(is_active=True, api_token__isnull=True)


def deactivated(user: Any) -> bool:
    """A user whose account was deactivated (Django admin: Active unticked). Nobody (None) is not."""
    return user is not None and not getattr(user, "is_active", True)


def acting(pairs: Iterable[tuple[Any, str]]) -> list[tuple[Any, str]]:
    """The people of ``pairs`` (a user or None, and which place they hold) that reminders, notices and pages go
    to, each once: the active ones (a backup stands in for a deactivated primary); when none is active, the
    deactivated ones, whose deliveries are then recorded as skipped with the reason (communications
    lists them under "Needs attention": the role needs someone)."""
    seen: set[int] = set()
    every: list[tuple[Any, str]] = []
    for user, which in pairs:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            every.append((user, which))
    active = [(u, w) for u, w in every if not deactivated(u)]
    return active or every


def deactivated_holders(roles: Iterable[Any]) -> list[tuple[Any, str, Any]]:
    """``(role, "primary" | "backup", user)`` for each deactivated holder of ``roles`` (their ``primary`` and
    ``backup`` read as loaded: select_related them), in the roles' order: what the plan page warns of."""
    return [
        (role, which, user)
        for role in roles
        for which, user in (("primary", role.primary), ("backup", role.backup))
        if deactivated(user)
    ]
