"""Bearer-token authentication for the API: the token is looked up by its digest; a missing, unknown,
revoked or expired token is a 401. A token for another plan, or without the scope a call needs, is a 403;
past the rate limit, a 429. The call then runs as the token's service identity, which
:func:`plans.permissions.can_coordinate` grants the coordinator's rights on the token's plan only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from plans.models import Plan

from .models import ApiToken
from .services.tokens import TOKEN_PREFIX, token_digest, token_touch
from .throttle import rate_limit, retry_after

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class RateLimited(HttpError):
    def __init__(self, seconds: int) -> None:
        super().__init__(429, f"Rate limit: {rate_limit()} calls per minute per token. Retry in {seconds} s.")
        self.retry_after = seconds


def token_for(raw: str) -> ApiToken | None:
    """The live token ``raw`` names, or None."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("plan", "identity").filter(digest=token_digest(raw)).first()
    if token is None or not token.is_live() or not token.identity.is_active:
        return None
    return token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lct_…``. Sets ``request.auth`` to the :class:`ApiToken`."""

    openapi_description = "A per-plan API token (Authorization: Bearer lct_…), created on the plan's API tokens page."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is None:
            return None
        seconds = retry_after(found.pk)
        if seconds is not None:
            raise RateLimited(seconds)
        token_touch(found, now=timezone.now())
        return found


@dataclass(frozen=True)
class Access:
    token: ApiToken
    plan: Plan
    identity: User


def access(request: HttpRequest, plan: str, scope: str) -> Access:
    """The call's token, checked against the plan in the URL and the scope the call needs (403 otherwise).
    A plan slug that names no plan is refused like another plan's: a token learns nothing of other plans."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # pragma: no cover (ninja answers 401 before the view)
        raise HttpError(401, "Unauthorized")
    if token.plan.slug != plan:
        raise HttpError(403, "This token belongs to another plan.")
    if scope not in token.scopes:
        raise HttpError(403, f"This token lacks the “{scope}” scope.")
    identity = token.identity
    identity.token_plan_id = token.plan_id  # type: ignore[attr-defined]  # read by plans.permissions
    return Access(token=token, plan=token.plan, identity=identity)
