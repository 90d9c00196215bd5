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
    """``Authorization: Bearer lct_…``, for the calls that need ``scope`` (None: any scope; the receivers
    check theirs against the plan's routes). Answers before the body is read: 401, then 429, then 403.
    Sets ``request.auth`` to the :class:`ApiToken`."""

    openapi_description = "A per-plan API token (Authorization: Bearer lct_…), created on the plan's API tokens page."

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is None:
            return None
        seconds = retry_after(found.pk)
        if seconds is not None:
            raise RateLimited(seconds)
        match = request.resolver_match
        require_plan_and_scope(found, match.kwargs.get("plan", "") if match else "", self.scope)
        return found


def require_plan_and_scope(token: ApiToken, plan: str, scope: str | None) -> None:
    """403 for another plan's token (a slug that names no plan is refused alike: a token learns nothing of
    other plans) or a token without ``scope``."""
    if token.plan.slug != plan:
        raise HttpError(403, "This token belongs to another plan.")
    if scope is not None and scope not in token.scopes:
        raise HttpError(403, f"This token lacks the “{scope}” scope.")


@dataclass(frozen=True)
class Access:
    token: ApiToken
    plan: Plan
    identity: User


def access(request: HttpRequest, plan: str, scope: str | None) -> Access:
    """The call's token, checked (again) against the plan in the URL and the scope, its last use stamped,
    and its service identity ready to pass to the services as ``by``."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # pragma: no cover (ninja answers 401 before the view)
        raise HttpError(401, "Unauthorized")
    require_plan_and_scope(token, plan, scope)
    token_touch(token, now=timezone.now())
    identity = token.identity
    identity.token_plan_id = token.plan_id  # type: ignore[attr-defined]  # read by plans.permissions
    return Access(token=token, plan=token.plan, identity=identity)
