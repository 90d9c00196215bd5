"""The people a role can be given: active accounts, not the service identities behind API tokens.

An API token acts as a user of its own (``api.ApiToken.identity``, named ``api-token-…``) so that the
activity log names it; it is not a person and must not be offered as a role's primary, backup or shift
holder. The reverse relation is matched by name, so this module needs no import of the ``api`` app.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def people(queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """Active accounts that are people (``queryset`` narrowed, or every account)."""
    base = queryset if queryset is not None else get_user_model()._default_manager.all()
    return base.filter(is_active=True, api_token__isnull=True)
