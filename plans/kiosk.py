"""Kiosk links: a read-only, revocable big-screen URL for a TV that cannot sign in.

The URL carries ``django.core.signing`` of the KioskLink id; revoking the row kills the URL on its next
request, and so does the expiry chosen at creation (``LINK_DEFAULT_DAYS``, at most ``LINK_MAX_DAYS``). A
forged, revoked or expired token is refused with 403. Nothing caches a link's state: the page and every
poll read the row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import KioskLink, Plan, link_days
from .permissions import require_coordinator
from .services import record
from .validators import clean_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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


def kiosk_create(plan: Plan, *, by: User, label: str, days: int | str | None = None) -> KioskLink:
    require_coordinator(by, plan)
    label = clean_text(label, max_length=KioskLink._meta.get_field("label").max_length or 120, field="Label")
    if not label:
        raise ValidationError("Name the screen this link is for (e.g. “War room TV 1”).")
    lifetime = link_days(days)
    now = timezone.now()
    with transaction.atomic():
        link = KioskLink.objects.create(
            plan=plan, label=label, created_by=by, created_at=now, expires_at=now + timedelta(days=lifetime)
        )
        record(
            plan,
            kind="kiosk.created",
            actor=by,
            summary=f"Kiosk link created: {link.label} (expires in {lifetime} days)",
            data={"link": link.pk, "days": lifetime},
        )
    return link


def kiosk_revoke(link: KioskLink, *, by: User) -> KioskLink:
    require_coordinator(by, link.plan)
    with transaction.atomic():
        locked = KioskLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record(
                link.plan,
                kind="kiosk.revoked",
                actor=by,
                summary=f"Kiosk link revoked: {locked.label}",
                data={"link": locked.pk},
            )
    link.revoked_at = locked.revoked_at
    return link
