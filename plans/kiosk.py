"""Kiosk links: a read-only, revocable big-screen URL for a TV that cannot sign in.

The URL carries ``django.core.signing`` of the KioskLink id; revoking the row kills the URL on its next
request, and so does the expiry chosen at creation (``LINK_DEFAULT_DAYS``, at most ``LINK_MAX_DAYS``). A
forged, revoked or expired token is refused with 403. Nothing caches a link's state: the page and every
poll read the row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied

from .models import KioskLink

if TYPE_CHECKING:
    pass

SALT = "launchcontrol.kiosk"


def kiosk_token(link: KioskLink) -> str:
    return signing.dumps(link.pk, salt=SALT)


def kiosk_link_id(token: str) -> int:
    """The link id a token names; PermissionDenied for a forged or mangled one (no database)."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise PermissionDenied("This kiosk link is not valid.") from exc
    if not isinstance(value, int):
        raise PermissionDenied("This kiosk link is not valid.")
    return value


def kiosk_link_for(token: str) -> KioskLink:
    """The live link a token names, with its plan; PermissionDenied if forged, revoked, expired or gone."""
    pk = kiosk_link_id(token)
    link = KioskLink.objects.select_related("plan").filter(pk=pk).first()
    if link is None or link.revoked_at is not None:
        raise PermissionDenied("This kiosk link has been revoked.")
    if not link.is_live():
        raise PermissionDenied("This kiosk link has expired: ask the coordinator for a new one.")
    if not link.plan.dates_in_range:
        from .selectors import DatesOutOfRange

        raise DatesOutOfRange(link.plan)
    return link
