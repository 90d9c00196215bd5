"""Creating, revoking and stamping per-plan API tokens. The coordinator creates and revokes them; the token
is shown once and only its SHA-256 digest is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans.models import link_days
from plans.permissions import require_coordinator
from plans.services import event_record, link_revoke
from plans.validators import clean_text

from ..models import ApiToken, Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

#: Every token starts with this, so that a leaked one is recognisable (and redacted from logs).
TOKEN_PREFIX = "lct_"
#: ``last_used_at`` is written at most this often per token (a busy CI job must not write on every call).
TOUCH_EVERY = timedelta(minutes=5)


def token_digest(raw: str) -> str:
    """The stored form of a token: its SHA-256 (a token is 190 random bits: no slow hash needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(f"Unknown scope {', '.join(unknown)}: choose from {', '.join(Scope.values)}.")
    chosen = [s for s in Scope.values if s in scopes]
    if not chosen:
        raise ValidationError("Choose at least one scope.")
    return chosen


def token_create(
    plan: Plan, *, by: User, name: str, scopes: list[str] | tuple[str, ...], days: int | str | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``plan`` and its raw value (shown once, never stored). Coordinator only."""
    require_coordinator(by, plan)
    name = clean_text(name, max_length=ApiToken._meta.get_field("name").max_length or 120, field="Name")
    if not name:
        raise ValidationError("Name the token after what uses it (e.g. “CI deploy pipeline”).")
    chosen = clean_scopes(scopes)
    lifetime = link_days(days)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    now = timezone.now()
    with transaction.atomic():
        identity = get_user_model().objects.create(
            username=f"api-token-{prefix}",
            first_name="API token",
            last_name=name[:150],
            password=make_password(None),  # unusable: the identity never signs in
            is_active=True,
        )
        token = ApiToken.objects.create(
            plan=plan,
            name=name,
            prefix=prefix,
            digest=token_digest(raw),
            scopes=chosen,
            identity=identity,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=lifetime),
        )
        event_record(
            plan,
            kind="api_token.created",
            actor=by,
            summary=f"API token created: {name} ({', '.join(chosen)}; expires in {lifetime} days)",
            data={"token": token.pk, "prefix": prefix, "scopes": chosen, "days": lifetime},
        )
    return token, raw


def token_revoke(token: ApiToken, *, by: User) -> ApiToken:
    """Revoke a token at once (its next call gets 401). Revoking a revoked token changes nothing."""
    require_coordinator(by, token.plan)
    return link_revoke(
        token,
        plan=token.plan,
        by=by,
        kind="api_token.revoked",
        summary=f"API token revoked: {token.name} ({token.prefix}…)",
        data={"token": token.pk, "prefix": token.prefix},
    )


def token_touch(token: ApiToken, *, now: datetime | None = None) -> bool:
    """Stamp the token's last use, at most every :data:`TOUCH_EVERY`. Bookkeeping, not a plan change: no
    event and no revision (the plan's ETag must not move because it was read). True if it wrote."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True
