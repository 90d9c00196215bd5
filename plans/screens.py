"""Screen tokens: what authorises a signed-in viewer's war-room poll without reading the session.

The board page (signed in) makes a ``ScreenGrant`` row for (session, plan) and hands the board a token
signing that row's id and the plan's id: never the session key, which must not end up in a URL. A poll
verifies the token against the database (``screen_plan_id``): the grant must still exist (signing out
deletes the session and, by cascade, the grant), the session must not have expired and must still be
signed in as the grant's user with the user's current password (Django's session auth hash), and the user
must be active. ``warroom.views`` trusts a verified token for ``SCREEN_RECHECK_SECONDS`` (60 s) per
process, so a sign-out, deactivation or password change refuses the token within a minute.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import Plan, ScreenGrant
from .permissions import can_view

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SALT = "launchcontrol.warroom.screen.v2"
REFUSED = "This board's screen token is no longer valid (signed out?); reload the page."


def screen_token(plan: Plan, *, user: User, session_key: str | None) -> str:
    """A token for this plan's board on this signed-in session (one grant per session and plan).

    Not a plan change: no event and no revision bump (that would make every screen re-render)."""
    if not can_view(user, plan):
        raise PermissionDenied("Sign in to see this board.")
    if not session_key:
        raise PermissionDenied("The board needs a signed-in session.")
    try:
        with transaction.atomic():
            grant, _ = ScreenGrant.objects.get_or_create(session_id=session_key, plan=plan, defaults={"user": user})
    except IntegrityError as exc:  # the session was signed out (in another tab) a moment ago
        raise PermissionDenied(REFUSED) from exc
    if grant.user_id != user.pk:  # a session reused by another user: never inherit a grant
        raise PermissionDenied(REFUSED)
    return signing.dumps({"g": grant.pk, "p": plan.pk}, salt=SALT, compress=False)


def _still_signed_in(grant: ScreenGrant) -> bool:
    session, user = grant.session, grant.user
    if session.expire_date <= timezone.now() or not user.is_active:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore
    data = store().decode(session.session_data)
    if str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored, h) for h in hashes)


def screen_plan_id(token: str) -> int:
    """The plan a screen token is good for, checked against the database (one query); PermissionDenied
    if it is forged, or its session was signed out, expired or belongs to a deactivated user."""
    try:
        value = signing.loads(token, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
        grant_id, plan_id = int(value["g"]), int(value["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:  # BadSignature: expired too
        raise PermissionDenied(REFUSED) from exc
    grant = ScreenGrant.objects.select_related("session", "user").filter(pk=grant_id, plan_id=plan_id).first()
    if grant is None or not _still_signed_in(grant):
        raise PermissionDenied(REFUSED)
    return plan_id
