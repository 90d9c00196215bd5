"""Writes for the page's subscribers (issue 14): the public asks (double opt-in), confirms and
unsubscribes through signed links (:mod:`statuspage.tokens`); the comms role or the coordinator removes.

The public writes record no plan event: they are not the launch's state, and an event would move the
plan's revision, turning the cached public pages over on every subscription (a spike of sign-ups would
defeat the cache). They are logged without the address. What they cause goes out through the outbox
(:mod:`statuspage.notify`): nothing here sends mail."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from communications.channels import validate_webhook_target
from plans.services import event_record

from .. import throttle, tokens
from ..models import Component, Subscriber, SubscriberKind, SubscriberState, new_code
from . import require_poster

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

log = logging.getLogger(__name__)

#: What a component's public code looks like (statuspage.models.new_code).
CODE = re.compile(r"[A-Za-z0-9_-]{1,12}")


def resend_after() -> timedelta:
    """A second confirmation for the same address is not sent sooner than this."""
    return timedelta(seconds=float(getattr(settings, "STATUS_CONFIRM_RESEND_SECONDS", 300)))


def clean_email(value: str) -> str:
    email = (value or "").strip()
    if not email or len(email) > 254:
        raise ValidationError("Enter a valid email address.")
    EmailValidator(message="Enter a valid email address.")(email)
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_url(value: str) -> str:
    url = (value or "").strip()
    if not url:
        return ""
    if len(url) > 2000:
        raise ValidationError("The webhook URL is too long (2,000 characters at most).")
    URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL for the webhook.")(url)
    validate_webhook_target(url)  # no loopback or private targets unless WEBHOOK_ALLOW_PRIVATE
    return url


def clean_components(plan: Plan, codes: Iterable[str]) -> list[Component]:
    """The page's components a subscriber chose (by their public codes); none chosen: every update."""
    wanted = {str(c).strip() for c in codes if str(c).strip()}
    if not wanted:
        return []
    if len(wanted) > 200:
        raise ValidationError("Choose fewer components.")
    if not all(CODE.fullmatch(c) for c in wanted):  # a code is short and plain: never a NUL in a query
        raise ValidationError("Choose among the components this page lists.")
    found = list(Component.objects.filter(plan=plan, code__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError("Choose among the components this page lists.")
    return found


def subscriber_request(
    plan: Plan, *, email: str, url: str = "", client: str | None = None, components: Iterable[str] = ()
) -> str:
    """Ask for the page's updates by email (or, with ``url``, by webhook, ``email`` being its contact). A
    confirmation link goes to ``email`` through the outbox; nothing is sent until it is followed.

    Returns what happened, for the log and the tests; the public answer is the same whatever it is (no
    address is confirmed to exist): ``asked``, ``again`` (a new confirmation of a pending one), ``recent``
    (one went out moments ago), ``limited`` (too many for this address), ``known`` (already confirmed).

    ``components``: the codes of the components to hear about (none: every update). They are set with a new
    or renewed request, which the confirmation link then confirms; a confirmed subscription is not changed
    by anyone who merely knows its address."""
    email, url = clean_email(email), clean_url(url)
    chosen = clean_components(plan, components)
    kind = SubscriberKind.WEBHOOK if url else SubscriberKind.EMAIL
    key = url if url else email.lower()
    if not throttle.address_allowed(plan.slug, f"{kind}:{key}"):
        return "limited"
    now = timezone.now()
    try:
        with transaction.atomic():
            row = Subscriber.objects.select_for_update().filter(plan=plan, kind=kind, address_key=key).first()
            outcome = _ask(plan, row, kind=kind, key=key, email=email, url=url, now=now)
            if outcome in {"asked", "again"}:
                asked = row or Subscriber.objects.get(plan=plan, kind=kind, address_key=key)
                asked.components.set(chosen)
    except IntegrityError:  # the same address asked twice at once: the other request made the row
        outcome = "recent"
    log.info("statuspage: subscription asked for plan %s (%s): %s", plan.pk, kind, outcome)
    return outcome


def _ask(plan: Plan, row: Subscriber | None, *, kind: str, key: str, email: str, url: str, now: datetime) -> str:
    if row is None:
        Subscriber.objects.create(
            plan=plan, kind=kind, email=email, url=url, address_key=key, confirm_sent_at=now, created_at=now
        )
        return "asked"
    if row.state == SubscriberState.CONFIRMED:
        return "known"
    if row.state == SubscriberState.PENDING:
        if row.confirm_sent_at is not None and now < row.confirm_sent_at + resend_after():
            return "recent"
        row.confirm_sent_at = now
        row.save(update_fields=["confirm_sent_at"])
        return "again"
    row.state, row.email, row.nonce, row.confirm_sent_at = SubscriberState.PENDING, email, new_code(), now
    row.unsubscribed_at = None
    row.save(update_fields=["state", "email", "nonce", "confirm_sent_at", "unsubscribed_at"])
    return "asked"


def subscriber_confirm(plan: Plan, token: str) -> Subscriber | None:
    """Follow a confirmation link: the subscription is active from now on. None if the link is forged,
    expired, or void (another confirmation was asked since, or it was unsubscribed)."""
    found = tokens.read_confirm(token)
    if found is None:
        return None
    with transaction.atomic():
        row = Subscriber.objects.select_for_update().filter(plan=plan, code=found.code, nonce=found.nonce).first()
        if row is None or row.state == SubscriberState.UNSUBSCRIBED:
            return None
        if row.state == SubscriberState.PENDING:
            row.state, row.confirmed_at = SubscriberState.CONFIRMED, timezone.now()
            row.save(update_fields=["state", "confirmed_at"])
            log.info("statuspage: subscriber %s of plan %s confirmed", row.pk, plan.pk)
    return row


def subscriber_unsubscribe(plan: Plan, token: str) -> Subscriber | None:
    """One-click unsubscribe (RFC 8058): no sign-in, no CSRF token; the signed link is the authority.
    None if the link is forged or names nobody (deleted)."""
    code = tokens.read_unsubscribe(token)
    if code is None:
        return None
    with transaction.atomic():
        row = Subscriber.objects.select_for_update().filter(plan=plan, code=code).first()
        if row is None:
            return None
        if row.state != SubscriberState.UNSUBSCRIBED:
            row.state, row.unsubscribed_at, row.nonce = SubscriberState.UNSUBSCRIBED, timezone.now(), new_code()
            row.save(update_fields=["state", "unsubscribed_at", "nonce"])
            log.info("statuspage: subscriber %s of plan %s unsubscribed", row.pk, plan.pk)
    return row


def subscriber_remove(subscriber: Subscriber, *, by: User) -> None:
    """The comms role or the coordinator removes a subscriber (a bounce, a complaint, a test address)."""
    plan = subscriber.plan
    require_poster(by, plan)
    with transaction.atomic():
        n, _ = Subscriber.objects.filter(pk=subscriber.pk, plan=plan).delete()
        if n:
            event_record(
                plan,
                kind="status.subscriber_removed",
                actor=by,
                summary=f"Status page: an {subscriber.get_kind_display().lower()} subscriber removed",
                data={"subscriber": subscriber.pk, "kind": subscriber.kind},
            )
