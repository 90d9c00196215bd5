"""How a delivery goes out, per channel kind. Each sender raises on failure (the outbox retries).

Every sender is idempotent on the delivery's ``idempotency_key`` (a UUID, globally unique) as far as the
other side allows: the webhook sends it as ``Idempotency-Key``, the email as its ``Message-ID``, and the
status page keeps one post per delivery.

A failure is one of two kinds, and the outbox records them differently:

- ``ChannelError``: the receiver certainly did not get it (no connection, refused address, an HTTP error
  status, an SMTP rejection). Retried with backoff.
- ``OutcomeUnknown``: the request went out and no answer came back in time (a deadline or a broken
  connection after the first byte was written). The receiver may have it; retried once with the same key.

A webhook call has one wall-clock deadline for the whole exchange (``WEBHOOK_TIMEOUT_SECONDS``): every
connect, write and read gets only what is left of it, so a receiver that trickles a byte a second cannot
hold a worker longer than the deadline. Its host is resolved once, and every address it resolves to must be
public (not loopback, private, link-local, multicast or reserved) unless ``WEBHOOK_ALLOW_PRIVATE`` is on; the
connection goes to the checked address (no second lookup to rebind). Redirects are not followed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import smtplib
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpcore
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.core.validators import validate_email
from django.utils import timezone

from .models import ChannelKind, Delivery, StatusPost
from .retryafter import retry_after_seconds


class ChannelError(Exception):
    """A send that certainly failed; the message is shown on the communications page. ``retry_after``: the
    receiver's ``Retry-After`` (seconds), which the next try waits for if longer than the backoff."""

    retry_after: float | None = None


class OutcomeUnknown(ChannelError):
    """The request may have reached the receiver but no answer came back (timeout after sending)."""


class BlockedTarget(ChannelError):
    """The webhook target is not an http(s) URL, or resolves to an address that may not be called."""


class Unsendable(BlockedTarget):
    """The message cannot be sent as written (a line break in its subject: Django's BadHeaderError, the
    app's own refusal before anything went out): no retry helps, so the outbox fails it at once."""


class Refused(BlockedTarget):
    """The receiver refused the request itself (HTTP 4xx other than 408 and 429: a wrong key, a bad
    document, a revoked webhook): no retry helps, so the outbox fails it at once (``Needs attention``)."""


# --- Webhook targets: http(s) to public addresses only (unless WEBHOOK_ALLOW_PRIVATE) -------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def webhook_deadline() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def address_refusal(ip: IPAddress) -> str | None:
    """Why a webhook may not call ``ip`` (``None``: it may)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return "an unspecified or multicast address"
    if allow_private():
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str
    host: str
    port: int


def parse_webhook_url(url: str) -> WebhookTarget:
    """The scheme, host and port of a webhook URL; BlockedTarget if it is not an absolute http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BlockedTarget(f"webhook: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise BlockedTarget("webhook: only http:// and https:// targets are allowed")
    if not parts.hostname:
        raise BlockedTarget("webhook: the URL has no host")
    return WebhookTarget(scheme, parts.hostname, port or (443 if scheme == "https" else 80))


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself); ChannelError if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ChannelError(f"webhook: cannot resolve {host} ({exc})") from exc
    seen: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in seen:
            seen.append(ip)
    return seen


def checked_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses of ``host`` a webhook may call: all of them, or BlockedTarget if any is refused."""
    addresses = resolve(host, port)
    for ip in addresses:
        why = address_refusal(ip)
        if why:
            raise BlockedTarget(
                f"webhook: {host} resolves to {why} ({ip}); set WEBHOOK_ALLOW_PRIVATE=true to allow "
                "private targets on a company network"
            )
    return addresses


def validate_webhook_target(url: str) -> None:
    """Refuse, when a channel is saved, a target the sender would refuse: not http(s), or a host that
    resolves to a non-public address. A host that does not resolve yet is accepted (the send reports it)."""
    try:
        target = parse_webhook_url(url)
        checked_addresses(target.host, target.port)
    except BlockedTarget as exc:
        message = str(exc).removeprefix("webhook: ")
        raise ValidationError(message[:1].upper() + message[1:]) from exc  # not capitalize(): keeps the names
    except ChannelError:
        return


# --- A network backend with one deadline for the whole call ------------------------------------------------


class _Progress:
    """Whether any byte of the request was written: before that a failure is certainly 'not sent'."""

    def __init__(self) -> None:
        self.wrote = False


class _DeadlineStream(httpcore.NetworkStream):
    CHUNK = 16384

    def __init__(self, inner: httpcore.NetworkStream, deadline: float, progress: _Progress) -> None:
        self._inner, self._deadline, self._progress = inner, deadline, progress

    def _left(self, timeout: float | None, exc: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise exc("the call's deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), self.CHUNK):
            left = self._left(timeout, httpcore.WriteTimeout)
            self._progress.wrote = True
            self._inner.write(buffer[start : start + self.CHUNK], left)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._deadline, self._progress)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses, and only within the deadline."""

    def __init__(self, deadline: float, progress: _Progress) -> None:
        self._sync = httpcore.SyncBackend()
        self._deadline, self._progress = deadline, progress

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for ip in checked_addresses(host, port):
            left = self._deadline - time.monotonic()
            if left <= 0:
                break
            try:
                wait = left if timeout is None else min(timeout, left)
                stream = self._sync.connect_tcp(str(ip), port, timeout=wait, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream, self._deadline, self._progress)
        raise httpcore.ConnectTimeout("the call's deadline passed") if last is None else last

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# --- Senders ---------------------------------------------------------------------------------------------------


def webhook_payload(delivery: Delivery) -> dict[str, str]:
    text = f"*{delivery.subject}*\n{delivery.body}" if delivery.subject else delivery.body
    return {"text": text}


def status_line(code: int) -> str:
    """``HTTP 500 Internal Server Error``: the standard phrase, never the receiver's text or body."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def send_webhook(delivery: Delivery) -> None:
    post_json(delivery.address, webhook_payload(delivery), key=str(delivery.idempotency_key))


def post_json(url: str, document: dict[str, Any], *, key: str) -> None:
    """POST ``document`` as JSON to ``url`` under the guard (public http(s) addresses only, one deadline,
    no redirects followed). Raises ChannelError, OutcomeUnknown, BlockedTarget or Refused."""
    target = parse_webhook_url(url)
    seconds = webhook_deadline()
    deadline = time.monotonic() + seconds
    progress = _Progress()
    body = json.dumps(document).encode()
    headers = [
        (b"Content-Type", b"application/json"),
        (b"Idempotency-Key", key.encode()),
        (b"User-Agent", b"LaunchControl/1"),
    ]
    timeouts = {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
    try:
        with (
            httpcore.ConnectionPool(network_backend=_GuardedBackend(deadline, progress), retries=0) as pool,
            pool.stream(
                "POST", url.strip(), headers=headers, content=body, extensions={"timeout": timeouts}
            ) as response,
        ):
            code = response.status  # the body is never read: nothing of it is shown or needed
            wait = next((v for k, v in response.headers if k.lower() == b"retry-after"), b"")
    except ChannelError:  # a refused address (BlockedTarget) or an unresolvable host
        raise
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        what = "no answer within" if isinstance(exc, httpcore.TimeoutException) else "connection broken within"
        if progress.wrote:
            raise OutcomeUnknown(f"webhook: {what} the {seconds:g} s deadline after the request went out") from exc
        raise ChannelError(f"webhook: could not reach {target.host}:{target.port} ({type(exc).__name__})") from exc
    except (httpcore.UnsupportedProtocol, ValueError) as exc:
        raise BlockedTarget(f"webhook: not a valid URL ({type(exc).__name__})") from exc
    if 400 <= code < 500 and code not in {408, 429}:
        raise Refused(f"webhook refused it: {status_line(code)} (not retried)")
    if code >= 300:
        error = ChannelError(f"webhook answered {status_line(code)}")
        error.retry_after = retry_after_seconds(wait.decode("latin-1")) if code in {429, 503} else None
        raise error


def email_addresses(address: str) -> list[str]:
    return [a.strip() for a in address.replace(";", ",").split(",") if a.strip()]


def validate_email_target(target: str) -> None:
    """Refuse, when a channel is saved or imported, an e-mail target that is not a list of addresses (as a
    contact's or a role's e-mail is refused): the sender would fail on it at launch time."""
    for address in email_addresses(target):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                f"{address[:80]!r} is not an e-mail address (an e-mail channel's target is one or more "
                "addresses separated by commas)"
            ) from None


def message_id(delivery: Delivery) -> str:
    host = urlsplit(getattr(settings, "SITE_URL", "")).hostname or "launchcontrol"
    return f"<{delivery.idempotency_key}@{host}>"


#: SMTP answers that mean the server refused the message: certainly not delivered.
SMTP_REFUSALS: tuple[type[Exception], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def send_email(delivery: Delivery, *, headers: dict[str, str] | None = None) -> None:
    """Send the delivery's email (``headers`` added: a list's ``List-Unsubscribe``, for one)."""
    to = email_addresses(delivery.address)
    if not to:
        raise ChannelError("email: no address")
    connection = get_connection(fail_silently=False)
    mail = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=to,
        connection=connection,
        headers={
            **(headers or {}),
            "Message-ID": message_id(delivery),
            "X-Launch-Control-Delivery": str(delivery.idempotency_key),
        },
    )
    try:
        mail.message()  # the headers are checked here, before any connection: nothing has gone out
    except BadHeaderError as exc:
        raise Unsendable(
            "email: not sent: the subject or an address holds a line break, which an e-mail header cannot "
            "carry; correct the message, then send it again"
        ) from exc
    try:
        connection.open()
    except Exception as exc:  # no connection, no login: nothing went out
        raise ChannelError(f"email: could not connect ({type(exc).__name__}: {exc})"[:300]) from exc
    try:
        mail.send(fail_silently=False)
    except SMTP_REFUSALS as exc:
        raise ChannelError(f"email: refused by the server ({type(exc).__name__})") from exc
    except Exception as exc:  # a timeout or a dropped connection mid-transaction: it may have gone out
        raise OutcomeUnknown(f"email: no answer after sending began ({type(exc).__name__})") from exc
    finally:
        with contextlib.suppress(Exception):  # closing a broken SMTP session may fail; the outcome is decided
            connection.close()


def send_status_page(delivery: Delivery, *, published_at: datetime | None = None) -> None:  # (the demo's: its time)
    StatusPost.objects.get_or_create(
        delivery=delivery,
        defaults={
            "plan_id": delivery.plan_id,
            "title": delivery.subject.removeprefix(f"[{delivery.plan.name}] "),
            "body": delivery.body,
            "published_at": published_at or timezone.now(),
        },
    )


SENDERS: dict[str, Callable[[Delivery], None]] = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.WEBHOOK: send_webhook,
    ChannelKind.STATUS_PAGE: send_status_page,
}


#: Senders for one source kind, asked before the channel kind's (an app above, such as the status page's
#: subscribers, adds its own: the unsubscribe headers, a document in the receiver's shape).
SOURCE_SENDERS: dict[str, Callable[[Delivery], None]] = {}


def send(delivery: Delivery) -> None:
    sender = SOURCE_SENDERS.get(delivery.source_kind) or SENDERS.get(delivery.channel_kind)
    if sender is None:
        raise ChannelError(f"{delivery.get_channel_kind_display()} cannot be sent automatically")
    sender(delivery)
