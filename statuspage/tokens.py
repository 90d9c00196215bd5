"""The signed links a subscriber receives: a confirmation (expires after ``STATUS_CONFIRM_HOURS``, and is
void once another confirmation was asked: it carries the subscriber's nonce) and an unsubscribe link (no
expiry: RFC 8058's one-click link must work for as long as the mail is kept). Both are signed with the
project's SECRET_KEY (``django.core.signing``), so a link cannot be made up or pointed at someone else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "statuspage.subscriber.confirm"
UNSUBSCRIBE_SALT = "statuspage.subscriber.unsubscribe"


def confirm_hours() -> float:
    return float(getattr(settings, "STATUS_CONFIRM_HOURS", 48))


@dataclass(frozen=True)
class Confirm:
    code: str
    nonce: str


def confirm_token(code: str, nonce: str) -> str:
    return signing.dumps({"c": code, "n": nonce}, salt=CONFIRM_SALT, compress=False)


def read_confirm(token: str) -> Confirm | None:
    """The subscriber a confirmation link names, or None (forged, mangled or expired)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(hours=confirm_hours()))
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("n"), str):
        return None
    return Confirm(data["c"], data["n"])


def unsubscribe_token(code: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(code)


def read_unsubscribe(token: str) -> str | None:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None


def site() -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/")


def page_url(slug: str) -> str:
    return f"{site()}{reverse('statuspage:page', args=[slug])}"


def confirm_url(slug: str, code: str, nonce: str) -> str:
    return f"{site()}{reverse('statuspage:confirm', args=[slug, confirm_token(code, nonce)])}"


def unsubscribe_url(slug: str, code: str) -> str:
    return f"{site()}{reverse('statuspage:unsubscribe', args=[slug, unsubscribe_token(code)])}"
