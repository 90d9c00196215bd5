"""How a delivery goes out, per channel kind. Each sender raises on failure (the outbox retries).

Every sender is idempotent on the delivery id as far as the other side allows: the webhook sends it as
``Idempotency-Key``, the email as its ``Message-ID``, and the status page keeps one post per delivery.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import ChannelKind, Delivery, StatusPost


class ChannelError(Exception):
    """A send that failed; the message is shown on the communications page."""


def webhook_payload(delivery: Delivery) -> dict[str, str]:
    text = f"*{delivery.subject}*\n{delivery.body}" if delivery.subject else delivery.body
    return {"text": text}


def send_webhook(delivery: Delivery) -> None:
    try:
        response = httpx.post(
            delivery.address,
            json=webhook_payload(delivery),
            headers={"Idempotency-Key": str(delivery.pk), "User-Agent": "LaunchControl/1"},
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise ChannelError(f"webhook: {type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise ChannelError(f"webhook answered HTTP {response.status_code}: {response.text[:200]}")


def email_addresses(address: str) -> list[str]:
    return [a.strip() for a in address.replace(";", ",").split(",") if a.strip()]


def send_email(delivery: Delivery) -> None:
    to = email_addresses(delivery.address)
    if not to:
        raise ChannelError("email: no address")
    mail = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=to,
        headers={
            "Message-ID": f"<delivery-{delivery.pk}@launchcontrol>",
            "X-Launch-Control-Delivery": str(delivery.pk),
        },
    )
    try:
        mail.send(fail_silently=False)
    except Exception as exc:  # SMTP, socket and backend errors alike
        raise ChannelError(f"email: {type(exc).__name__}: {exc}") from exc


def send_status_page(delivery: Delivery) -> None:
    StatusPost.objects.get_or_create(
        delivery=delivery,
        defaults={
            "plan_id": delivery.plan_id,
            "title": delivery.subject.removeprefix(f"[{delivery.plan.name}] "),
            "body": delivery.body,
            "published_at": timezone.now(),
        },
    )


SENDERS: dict[str, Callable[[Delivery], None]] = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.WEBHOOK: send_webhook,
    ChannelKind.STATUS_PAGE: send_status_page,
}


def send(delivery: Delivery) -> None:
    sender = SENDERS.get(delivery.channel_kind)
    if sender is None:
        raise ChannelError(f"{delivery.get_channel_kind_display()} cannot be sent automatically")
    sender(delivery)
